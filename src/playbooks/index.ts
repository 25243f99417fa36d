// What the playbooks feature offers the rest of Vigil; other features import from here only.
export { actionCatalogForValidation } from './action-catalog-view.js';
export { cacaoPlaybookId } from './cacao/cacao-export.js';
export { importCacao } from './cacao/cacao-import.js';
export { readTemplateFile } from './notify-templates.js';
export { PlaybookLibraryService } from './playbook-library.service.js';
export { expandPaths, formatPlaybookError, validatePlaybookFiles, validateWithBundled } from './playbook-files.js';
export { playbookYaml } from './playbook-versions.service.js';
export { PLAYBOOK_ROUTE_DOCS } from './playbooks.openapi.js';
export { isPlaybookTestFile, loadPlaybookTestFile } from './testing/playbook-test-file.js';
export { loadPlaybookDirectory } from './validation/index.js';
