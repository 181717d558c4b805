import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * A variables skeleton for an operation: every required variable with a placeholder of its type
 * (an input object lists its required fields), so a saved operation only needs its values filled.
 */
export function exampleVariables(source: string, schema: GraphQLSchema | null | undefined): string {
  let operation;
  try {
    operation = parse(source).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return '';
  }
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return '';
  const example: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.type.kind !== Kind.NON_NULL_TYPE || definition.defaultValue) continue;
    const type = schema ? typeFromAST(schema, definition.type) : undefined;
    example[definition.variable.name.value] = type
      ? placeholder(type as GraphQLInputType, 0)
      : namedPlaceholder(
          definition.type.type.kind === Kind.NAMED_TYPE ? definition.type.type.name.value : '',
        );
  }
  return Object.keys(example).length > 0 ? JSON.stringify(example, null, 2) : '';
}

function placeholder(type: GraphQLInputType, depth: number): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType, depth);
  if (isListType(type)) return depth < 3 ? [placeholder(type.ofType, depth + 1)] : [];
  if (isEnumType(type)) return type.getValues()[0]?.name ?? null;
  if (isInputObjectType(type)) {
    if (depth >= 3) return {};
    const fields: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined)
        fields[field.name] = placeholder(field.type, depth + 1);
    }
    return fields;
  }
  return namedPlaceholder(type.name);
}

function namedPlaceholder(name: string): unknown {
  switch (name) {
    case 'Int':
    case 'Float':
      return 0;
    case 'Boolean':
      return false;
    case 'ID':
    case 'String':
    case 'DateTime':
      return '';
    default:
      return null;
  }
}
