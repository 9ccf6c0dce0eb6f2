// Public entry of the templates package: properties, the property replacer and template compilation.
export { compileProperty, getPropertyValue, getJsonValue, lookupProperty, setLocalHostname } from './properties';
export type { PropertyGetter, PropertyInfo } from './properties';
export { compileTemplate, parseStringTemplate, unescapeC, optionsFromWords } from './compile';
export type { CompileOptions } from './compile';
export { builtinTemplates } from './builtins';
export { TemplateError, applyOptions } from './replacer';
export { formatDate } from './dates';
