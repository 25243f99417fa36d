import { ACTION_CATALOG } from '../../integrations/index.js';
import type { PlaybookActionCatalog } from './validation/index.js';

/** The integration catalogue as the playbook validator sees it. */
export function actionCatalogForValidation(): PlaybookActionCatalog {
  return {
    get(key: string) {
      const action = ACTION_CATALOG.get(key);
      return action ? { input: action.input, kind: action.kind } : undefined;
    },
    keys: () => ACTION_CATALOG.keys(),
  };
}
