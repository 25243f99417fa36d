// What the templating feature offers the rest of Vigil; other features import from here only.
export { collectTemplatePaths, compileCheck, renderParams, renderTemplate } from './template-renderer.js';
