/**
 * Where a data path of a parsed playbook (`steps[2].with.ip`) is in its YAML source, so every error
 * names the line and column an author has to look at.
 */
import { isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node as YamlNode, type Pair } from 'yaml';

export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

export class SourceMap {
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
        const pair = node.items.find((item: Pair) => isScalar(item.key) && String(item.key.value) === String(segment));
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
