/**
 * Registering live components (D80) at startup: `createServer({ components: { Counter } })`.
 * Their names are checked first (the templates' `{% live_component %}` tags are checked against
 * them while compiling), then each class and its template: livery.C069 for a class that cannot
 * be a component, livery.C070 for a template that does not render one root element.
 */
import type { Problem } from '../config/checks.ts';
import type { Template, TemplateLoader } from '../template/index.ts';
import { COMPONENT_RESERVED, LiveComponent, type ComponentClass, type RegisteredComponent } from './live-component.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The names templates may use; problems with the map itself (C069). */
export function checkComponents(components: unknown, problems: Problem[]): ReadonlySet<string> {
  if (components === undefined) return new Set();
  if (typeof components !== 'object' || components === null || Array.isArray(components)) {
    problems.push({ id: 'livery.C069', detail: 'components must be an object: { Name: ComponentClass }' });
    return new Set();
  }
  return new Set(Object.keys(components).filter((name) => NAME.test(name)));
}

export function registerComponents(components: Readonly<Record<string, ComponentClass>> | undefined, templates: TemplateLoader, problems: Problem[]): Map<string, RegisteredComponent> {
  const registered = new Map<string, RegisteredComponent>();
  for (const [name, cls] of Object.entries(components ?? {})) {
    const where = `components.${name}`;
    const before = problems.length;
    if (!NAME.test(name)) problems.push({ id: 'livery.C069', detail: `${where}: a component name is a letter or _ then letters, digits or _` });
    if (typeof cls !== 'function' || !(cls.prototype instanceof LiveComponent)) {
      problems.push({ id: 'livery.C069', detail: `${where}: not a class extending LiveComponent` });
      continue;
    }
    if (typeof cls.prototype.mount !== 'function') problems.push({ id: 'livery.C069', detail: `${where}: the class has no mount(attrs) method` });
    if (typeof cls.template !== 'string' || cls.template === '') problems.push({ id: 'livery.C069', detail: `${where}: set \`static template = 'file.html'\`` });
    for (const [event, schema] of Object.entries(cls.events ?? {})) {
      if (COMPONENT_RESERVED.has(event) || event.startsWith('_')) problems.push({ id: 'livery.C069', detail: `${where}: "${event}" cannot be an event name (reserved)` });
      else if (typeof (cls.prototype as unknown as Record<string, unknown>)[event] !== 'function') problems.push({ id: 'livery.C069', detail: `${where}: event "${event}" is declared but the class has no ${event}() method` });
      if (schema !== null && typeof schema?.['~standard']?.validate !== 'function') problems.push({ id: 'livery.C069', detail: `${where}: event "${event}" needs a Standard Schema (zod, valibot…) or null` });
    }
    if (problems.length > before) continue;
    let template: Template;
    try {
      template = templates.load(cls.template);
    } catch (error) {
      problems.push({ id: 'livery.C005', detail: `${where}: ${(error as Error).message}` });
      continue;
    }
    const root = rootProblem(template);
    if (root !== null) {
      problems.push({ id: 'livery.C070', detail: `${where}: ${cls.template}: ${root}` });
      continue;
    }
    registered.set(name, { componentClass: cls, template });
  }
  return registered;
}

/**
 * A component renders one root element, which carries its `lv-component` id: the template must
 * open with a tag its first static text names, and close with one. (What lies between is HTML the
 * page's checks already cover.)
 */
export function rootProblem(template: Template): string | null {
  const { statics } = template.root;
  const first = /^\s*<([A-Za-z][\w:-]*)[\s/>]/.exec(statics[0] + (statics.length > 1 ? ' ' : ''));
  if (first === null) return 'a component template must start with its root element\'s opening tag (e.g. <div>), not text, a comment or a template tag';
  const last = statics[statics.length - 1].trimEnd();
  if (!last.endsWith('>')) return `a component template must end with its root element's closing tag (</${first[1]}>)`;
  const closing = /<\/([A-Za-z][\w:-]*)\s*>$/.exec(last);
  if (closing !== null && closing[1].toLowerCase() !== first[1].toLowerCase()) return `the template opens <${first[1]}> but ends with </${closing[1]}>: wrap it in one root element`;
  return null;
}
