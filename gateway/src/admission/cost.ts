import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  valueFromAST,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Demand control: what an operation will cost before it runs, following the cost directives of
 * Federation 2.9 (`@listSize`, `@cost`, the IBM GraphQL cost spec Apollo Router and Hive Gateway
 * implement). Every object resolved costs 1 (scalars and enums 0, `@cost(weight:)` adds), every
 * root mutation field 10, and a list multiplies what is selected inside it by its size: the
 * value of its slicing argument (literal, variable or the argument's default), else its
 * `assumedSize`, else `defaultListSize`. Connections put the size on `edges` (`sizedFields`).
 *
 * Written here rather than taken from a library because none we measured counts our schema
 * right (see README, "Demand control"): graphql-armor multiplies only literal `first`/`last`,
 * Hive's plugin prices each subgraph fetch separately (an `_entities` fetch, a list without a
 * size, costs as one item, and fragments are priced once where they are defined), and
 * graphql-query-complexity knows neither `@listSize` nor connections.
 */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

export interface CostSettings {
  /** The size of a list field that carries no @listSize (a test keeps every list annotated). */
  defaultListSize: number;
  mutationCost: number;
}

/** One step of the most expensive path: the field and how many times it runs per parent. */
export interface CostStep {
  field: string;
  size: number;
  /** Where the size came from, e.g. `first: 20 (default)` or `assumed size 10`. */
  sizeFrom?: string;
}

export interface CostReport {
  cost: number;
  /** From the root down to the field that makes most of the cost. */
  heaviest: CostStep[];
  /** The variables that sized a list: the same document with the same values costs the same. */
  sizingVariables: string[];
}

interface Priced {
  cost: number;
  path: CostStep[];
}

const ZERO: Priced = { cost: 0, path: [] };
/** Far above any limit, far below where floating point stops counting. */
const CEILING = 1e15;

/** The @listSize and @cost annotations of a supergraph, by `Type.field`. */
export function readCostDirectives(supergraph: GraphQLSchema) {
  const listSizes = new Map<string, ListSize>();
  const weights = new Map<string, number>();
  for (const type of Object.values(supergraph.getTypeMap())) {
    if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      for (const directive of field.astNode?.directives ?? []) {
        const args = Object.fromEntries(
          (directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]),
        );
        const key = `${type.name}.${field.name}`;
        if (directive.name.value === 'listSize') listSizes.set(key, args as ListSize);
        if (directive.name.value === 'cost' && typeof args.weight === 'number') weights.set(key, args.weight);
      }
    }
  }
  return { listSizes, weights };
}

export class CostModel {
  private readonly listSizes: Map<string, ListSize>;
  private readonly weights: Map<string, number>;

  constructor(
    private readonly schema: GraphQLSchema,
    supergraph: GraphQLSchema,
    private readonly settings: CostSettings,
  ) {
    ({ listSizes: this.listSizes, weights: this.weights } = readCostDirectives(supergraph));
  }

  /** The list fields of the API schema whose elements are objects but that carry no @listSize. */
  unsizedLists(): string[] {
    const types = Object.values(this.schema.getTypeMap()).filter(
      (type) => isObjectType(type) && !type.name.startsWith('__'),
    ) as GraphQLObjectType[];
    // A connection's edges are sized by the field that returns the connection.
    const sizedByParent = new Set<string>();
    for (const type of types) {
      for (const field of Object.values(type.getFields())) {
        for (const sized of this.listSize(type.name, field.name)?.sizedFields ?? [])
          sizedByParent.add(`${getNamedType(field.type).name}.${sized}`);
      }
    }
    const missing: string[] = [];
    for (const type of types) {
      for (const field of Object.values(type.getFields())) {
        const key = `${type.name}.${field.name}`;
        const list = listDepth(field.type) > 0 && isCompositeType(getNamedType(field.type));
        if (list && !this.listSizes.has(key) && !sizedByParent.has(key)) missing.push(key);
      }
    }
    return missing;
  }

  /** `variables` are the request's raw variables; an invalid value counts as absent (Apollo refuses it later). */
  cost(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): CostReport {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions)
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    const root =
      operation.operation === 'query'
        ? this.schema.getQueryType()
        : operation.operation === 'mutation'
          ? this.schema.getMutationType()
          : this.schema.getSubscriptionType();
    if (!root) return { cost: 0, heaviest: [], sizingVariables: [] };
    const walk = new Walk(this, fragments, withDefaults(operation, variables));
    const priced = walk.selectionSet(operation.selectionSet, root, undefined);
    const mutationFields =
      operation.operation === 'mutation'
        ? operation.selectionSet.selections.length * this.settings.mutationCost
        : 0;
    return {
      cost: Math.min(CEILING, priced.cost + mutationFields),
      heaviest: priced.path,
      sizingVariables: [...walk.sizingVariables].sort(),
    };
  }

  listSize(type: string, field: string) {
    return this.listSizes.get(`${type}.${field}`);
  }

  weight(type: string, field: string) {
    return this.weights.get(`${type}.${field}`) ?? 0;
  }

  get defaultListSize() {
    return this.settings.defaultListSize;
  }

  get apiSchema() {
    return this.schema;
  }
}

/** One pricing pass: fragments are priced once per pass (their price does not depend on where they are spread). */
class Walk {
  private readonly fragmentPrices = new Map<string, Priced>();
  private readonly pricing = new Set<string>();
  readonly sizingVariables = new Set<string>();

  constructor(
    private readonly model: CostModel,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
  ) {}

  /** `sized`: sizes the parent's @listSize(sizedFields:) hands to some of these fields. */
  selectionSet(
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    sized: Map<string, CostStep> | undefined,
  ): Priced {
    let cost = 0;
    let heaviest = ZERO;
    const add = (priced: Priced) => {
      cost += priced.cost;
      if (priced.cost > heaviest.cost) heaviest = priced;
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) add(this.field(selection, parent, sized));
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? (this.model.apiSchema.getType(selection.typeCondition.name.value) ?? parent)
          : parent;
        add(this.selectionSet(selection.selectionSet, type, sized));
      } else {
        add(this.fragment(selection.name.value, sized));
      }
    }
    return { cost: Math.min(CEILING, cost), path: heaviest.path };
  }

  private fragment(name: string, sized: Map<string, CostStep> | undefined): Priced {
    const definition = this.fragments.get(name);
    if (!definition) return ZERO;
    // Sized fields depend on the spread's parent, so only plain spreads are remembered.
    const cached = sized ? undefined : this.fragmentPrices.get(name);
    if (cached) return cached;
    if (this.pricing.has(name)) return ZERO; // a cycle: refused by validation anyway
    this.pricing.add(name);
    const type = this.model.apiSchema.getType(definition.typeCondition.name.value);
    const priced = type ? this.selectionSet(definition.selectionSet, type, sized) : ZERO;
    this.pricing.delete(name);
    if (!sized) this.fragmentPrices.set(name, priced);
    return priced;
  }

  private field(node: FieldNode, parent: GraphQLNamedType, sized: Map<string, CostStep> | undefined): Priced {
    const name = node.name.value;
    if (name.startsWith('__') || !('getFields' in parent)) return ZERO;
    const definition = (
      parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }
    ).getFields()[name];
    if (!definition) return ZERO;
    const named = getNamedType(definition.type);
    const own = (isCompositeType(named) ? 1 : 0) + this.model.weight(parent.name, name);
    const annotation = this.model.listSize(parent.name, name);
    const step = sized?.get(name) ?? this.sizeOf(node, definition, annotation);
    // A connection's size applies to the fields it names (edges), not to the connection itself.
    const handsOn = annotation?.sizedFields?.length ? step : undefined;
    const mine: CostStep = handsOn ? { field: name, size: 1 } : step;
    const children = node.selectionSet
      ? this.selectionSet(
          node.selectionSet,
          named,
          handsOn ? new Map(annotation!.sizedFields!.map((f) => [f, { ...handsOn, field: f }])) : undefined,
        )
      : ZERO;
    const cost = Math.min(CEILING, mine.size * (own + children.cost));
    return { cost, path: [{ ...mine, field: name }, ...children.path] };
  }

  private sizeOf(
    node: FieldNode,
    definition: GraphQLField<unknown, unknown>,
    annotation: ListSize | undefined,
  ): CostStep {
    const field = node.name.value;
    const depth = listDepth(definition.type);
    for (const argument of annotation?.slicingArguments ?? []) {
      const value = this.argument(node, definition, argument);
      if (value !== undefined)
        return { field, size: Math.max(0, value.size), sizeFrom: `${argument}: ${value.from}` };
    }
    if (annotation?.assumedSize !== undefined)
      return { field, size: annotation.assumedSize, sizeFrom: `assumed size ${annotation.assumedSize}` };
    if (annotation?.sizedFields?.length)
      return { field, size: this.model.defaultListSize, sizeFrom: `default list size` };
    if (depth === 0) return { field, size: 1 };
    const size = this.model.defaultListSize ** depth;
    return { field, size, sizeFrom: `default list size ${size}` };
  }

  /** A slicing argument's value: literal, variable, or the argument's default. */
  private argument(
    node: FieldNode,
    definition: GraphQLField<unknown, unknown>,
    name: string,
  ): { size: number; from: string } | undefined {
    const schemaArgument = definition.args.find((a) => a.name === name);
    const given = node.arguments?.find((a) => a.name.value === name);
    if (given) {
      if (given.value.kind === Kind.VARIABLE) this.sizingVariables.add(given.value.name.value);
      const value = schemaArgument
        ? valueFromAST(given.value, schemaArgument.type, this.variables)
        : valueFromASTUntyped(given.value, this.variables);
      if (typeof value === 'number' && Number.isFinite(value)) {
        const from =
          given.value.kind === Kind.VARIABLE ? `${value} ($${given.value.name.value})` : `${value}`;
        return { size: value, from };
      }
      // null or invalid: the service uses its default (an invalid value is refused before running).
    }
    const fallback = schemaArgument?.defaultValue;
    return typeof fallback === 'number' ? { size: fallback, from: `${fallback} (default)` } : undefined;
  }
}

function listDepth(type: GraphQLType): number {
  let depth = 0;
  let current: GraphQLType = getNullableType(type);
  while (isListType(current)) {
    depth++;
    current = getNullableType(current.ofType);
  }
  return depth;
}

/** The operation's variables, with the defaults its variable definitions declare. */
function withDefaults(
  operation: OperationDefinitionNode,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(given, name)) values[name] = given[name];
    else if (definition.defaultValue) values[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return values;
}

/** "events(first: 20 (default)) > edges > node > similarEvents(first: 5 (default)) x 100 ..." */
export function describePath(steps: CostStep[]): string {
  return steps.map((s) => (s.sizeFrom ? `${s.field} (x${s.size}, ${s.sizeFrom})` : s.field)).join(' > ');
}
