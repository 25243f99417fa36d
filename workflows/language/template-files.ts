/** A notify `template` naming a file under the playbooks' `templates/` folder rather than holding template text. */
export const TEMPLATE_FILE = /^[A-Za-z0-9_./-]+\.(hbs|handlebars|md|txt|html)$/;

export function isTemplateFile(template: string): boolean {
  return TEMPLATE_FILE.test(template);
}
