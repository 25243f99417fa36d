/** Atlassian Document Format nodes Vigil produces (a subset: paragraphs of text with line breaks). */
export interface AdfText {
  type: 'text';
  text: string;
}
export interface AdfHardBreak {
  type: 'hardBreak';
}
export interface AdfParagraph {
  type: 'paragraph';
  content: Array<AdfText | AdfHardBreak>;
}
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfParagraph[];
}

/** Plain text to ADF: blank lines separate paragraphs, single newlines become hard breaks. */
export function textToAdf(text: string): AdfDocument {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((p) => ({
      type: 'paragraph',
      // ADF forbids empty text nodes, so empty lines inside a paragraph become bare breaks.
      content: p.split('\n').flatMap((line, i): Array<AdfText | AdfHardBreak> => {
        const nodes: Array<AdfText | AdfHardBreak> = i > 0 ? [{ type: 'hardBreak' }] : [];
        if (line !== '') nodes.push({ type: 'text', text: line });
        return nodes;
      }),
    })),
  };
}
