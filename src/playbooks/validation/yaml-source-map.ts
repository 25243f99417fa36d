/**
 * Where a data path of a parsed playbook (`steps[2].with.ip`) is in its YAML source, so every error
 * names the line and column an author has to look at.
 */
import { isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';

export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

export class SourceMap {
  /** Each mapping's pairs by key, built the first time a path goes through it: a lookup costs its depth, not the file's size. */
  private readonly pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();
  /** Pairs put into those indexes; each mapping is indexed at most once, so this never exceeds the pairs in the file. */
  indexedPairs = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly file: string,
    private readonly text: string,
  ) {}

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(line, 1), column: Math.max(col, 1) };
  }

  /**
   * The node at a data path (or, with `key`, the key naming its last segment). When the path does not
   * exist (a missing field), the deepest node that does.
   */
  find(segments: DataPath, key = false): YamlNode | undefined {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = this.pairIn(node, String(segment));
        if (!pair) return node;
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        keyNode = undefined;
        node = node.items[segment];
      } else {
        return isScalar(node) || isMap(node) || isSeq(node) ? node : undefined;
      }
    }
    const chosen = key && keyNode !== undefined ? keyNode : node;
    return isScalar(chosen) || isMap(chosen) || isSeq(chosen) ? chosen : undefined;
  }

  /** The first pair whose scalar key reads `key`, as a scan of the items in order would find it. */
  private pairIn(map: YAMLMap, key: string): Pair | undefined {
    let index = this.pairsByKey.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        if (!isScalar(item.key)) continue;
        const name = String(item.key.value);
        if (!index.has(name)) index.set(name, item);
        this.indexedPairs += 1;
      }
      this.pairsByKey.set(map, index);
    }
    return index.get(key);
  }

  locate(segments: DataPath, key = false): { line: number; column: number } {
    const node = this.find(segments, key);
    return node?.range ? this.position(node.range[0]) : { line: 1, column: 1 };
  }

  /** Where character `offset` of a scalar's value is in the file, when the scalar maps simply onto the source. */
  locateInScalar(segments: DataPath, offset: number): { line: number; column: number } {
    const node = this.find(segments);
    if (!node?.range || !isScalar(node)) return this.locate(segments);
    const start = node.range[0];
    const source = this.text.slice(start, node.range[1]);
    const type = node.type;
    if ((type === Scalar.PLAIN || type === Scalar.QUOTE_SINGLE || type === Scalar.QUOTE_DOUBLE) && !source.includes('\n')) {
      const quote = type === Scalar.PLAIN ? 0 : 1;
      // Escapes make the value shorter than its source; then only the scalar's start is certain.
      const exact = typeof node.value === 'string' && source.trimEnd().length === node.value.length + 2 * quote;
      return this.position(start + (exact ? quote + offset : 0));
    }
    if (type === Scalar.BLOCK_LITERAL && typeof node.value === 'string') {
      // Literal blocks keep lines as they are: line k of the value is line k after the header, indented.
      const before = node.value.slice(0, offset);
      const lineInValue = before.split('\n').length - 1;
      const columnInLine = offset - (before.lastIndexOf('\n') + 1);
      const header = this.position(start);
      const firstContent = /\n([ \t]*)\S/.exec(source);
      const indent = firstContent ? firstContent[1].length : 0;
      return { line: header.line + 1 + lineInValue, column: indent + columnInLine + 1 };
    }
    return this.position(start);
  }
}
