// OpenAPI response schemas from the controllers' declared return types, which are the
// wire types of @keywarden/core: the type a route returns is the schema it documents, so
// the two cannot drift. The JSON is keyed by Nest's operation ids (`Controller_method`);
// app.factory merges it into the document served at /docs.
import { createRequire } from 'node:module';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const { createFormatter, createParser, DEFAULT_CONFIG, SchemaGenerator } = require('ts-json-schema-generator');

const CONFIG = {
  ...DEFAULT_CONFIG,
  // Exported types become named components (a route answering one refers to it);
  // inline literals stay inline.
  expose: 'export',
  topRef: true,
  jsDoc: 'extended',
  // Wire types are exact: a documented object lists every field it may carry.
  additionalProperties: false,
  encodeRefs: false,
  skipTypeCheck: true,
};

/** `Page<AppKey>` is not a valid component name; `PageOfAppKey` is. */
function componentName(definitionName) {
  return definitionName.replace(/</g, 'Of').replace(/,\s*/g, 'And').replace(/[^A-Za-z0-9._-]/g, '');
}

/** Definition refs (`#/definitions/X`) become component refs; JSON Schema metadata goes. */
function toOpenApi(schema) {
  if (Array.isArray(schema)) return schema.map(toOpenApi);
  if (schema === null || typeof schema !== 'object') return schema;
  const result = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === '$schema' || keyword === 'definitions') continue;
    if (keyword === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
      result.$ref = `#/components/schemas/${componentName(value.slice('#/definitions/'.length))}`;
    } else {
      result[keyword] = toOpenApi(value);
    }
  }
  return result;
}

/** `Promise<T>` answers T; a route's body is what the promise resolves to. */
function bodyTypeNode(returnType) {
  if (ts.isTypeReferenceNode(returnType) && returnType.typeName.getText() === 'Promise' && returnType.typeArguments?.length === 1) {
    return returnType.typeArguments[0];
  }
  return returnType;
}

/**
 * A root without a name of its own (`AppKey & WithSecret`, `string`) gets a generated
 * definition id; it is inlined instead, so only declared types become components.
 */
function inlineAnonymousRoot(schema) {
  const name = schema.$ref?.slice('#/definitions/'.length);
  if (name === undefined || !name.startsWith('def-')) return schema;
  const { [name]: root, ...definitions } = schema.definitions;
  const unnamed = Object.keys(definitions).filter((definition) => definition.startsWith('def-'));
  if (unnamed.length > 0) throw new Error(`types without a name: ${unnamed.join(', ')}`);
  return { ...root, definitions };
}

function isVoid(typeNode) {
  return typeNode.kind === ts.SyntaxKind.VoidKeyword || typeNode.kind === ts.SyntaxKind.UndefinedKeyword;
}

/** Controller classes of the program: the API's sources and the workspace packages it mounts (health). */
function* controllerMethods(program) {
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.fileName.includes('/node_modules/')) continue;
    for (const statement of sourceFile.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name?.text.endsWith('Controller')) continue;
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !member.type || member.name.kind !== ts.SyntaxKind.Identifier) continue;
        const modifiers = ts.getCombinedModifierFlags(member);
        if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) continue;
        yield { operationId: `${statement.name.text}_${member.name.text}`, returnType: member.type, fileName: sourceFile.fileName };
      }
    }
  }
}

/**
 * `{ operations: { [operationId]: schema | null }, components: { [name]: schema }, error }`:
 * null for a route that answers no body; `error` is the envelope every refusal carries.
 * Fails when one name would stand for two types.
 */
export function responseSchemas(program) {
  const generator = new SchemaGenerator(program, createParser(program, CONFIG), createFormatter(CONFIG), CONFIG);
  const operations = {};
  const components = {};
  const addComponents = (schema, where) => {
    for (const [name, definition] of Object.entries(schema.definitions ?? {})) {
      const component = toOpenApi(definition);
      const key = componentName(name);
      if (key in components && JSON.stringify(components[key]) !== JSON.stringify(component)) {
        throw new Error(`two response types are both named ${name} (${where})`);
      }
      components[key] = component;
    }
  };
  for (const { operationId, returnType, fileName } of controllerMethods(program)) {
    const body = bodyTypeNode(returnType);
    if (isVoid(body)) {
      operations[operationId] = null;
      continue;
    }
    let schema;
    try {
      schema = inlineAnonymousRoot(generator.createSchemaFromNodes([body]));
    } catch (error) {
      throw new Error(`${fileName}: no response schema for ${operationId} (${returnType.getText()}): ${error.message}`);
    }
    addComponents(schema, `${fileName}, ${operationId}`);
    operations[operationId] = toOpenApi(schema);
  }
  const envelope = generator.createSchema('ErrorEnvelope');
  addComponents(envelope, 'ErrorEnvelope');
  return { operations, components, error: toOpenApi(envelope) };
}
