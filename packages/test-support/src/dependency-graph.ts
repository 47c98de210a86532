import type { Template } from '@espresso/local-cloud';

/**
 * The dependencies CloudFormation sees between the resources of one template, and the cycles
 * among them (a template with a cycle fails to create: "Circular dependency between resources").
 *
 * An edge `from → to` means `from` names `to` with `Ref`, `Fn::GetAtt` (`[Id, Attr]` or
 * `"Id.Attr"`), `Fn::Sub` (`${Id}` or `${Id.Attr}` in its string, unless the Sub's own variable
 * map defines that name; `${!Literal}` and pseudo parameters `${AWS::…}` are not references), or
 * lists it in `DependsOn`. Names that are not resources of the template (parameters, pseudo
 * parameters) make no edge.
 */
export interface Dependency {
  from: string;
  to: string;
  /** How `from` names `to`. */
  via: 'Ref' | 'Fn::GetAtt' | 'Fn::Sub' | 'DependsOn';
  /** Where in `from` (path of keys and indexes, e.g. `Properties/Role`). */
  at: string;
}

type Resources = Template['Resources'];

/** `${Name}` and `${Name.Attr}` in a Sub string, without `${!Literal}` escapes. */
const subNames = (text: string): string[] =>
  [...text.matchAll(/\$\{([^}]*)\}/g)]
    .map((m) => (m[1] ?? '').trim())
    .filter((name) => !name.startsWith('!'))
    .map((name) => name.split('.')[0] as string);

const walk = (
  value: unknown,
  at: string[],
  resources: Resources,
  found: (to: string, via: Dependency['via'], at: string[]) => void,
): void => {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, [...at, String(index)], resources, found);
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  const isResource = (name: unknown): name is string =>
    typeof name === 'string' && !name.startsWith('AWS::') && Object.hasOwn(resources, name);
  for (const [key, inner] of Object.entries(object)) {
    const here = [...at, key];
    if (key === 'Ref') {
      if (isResource(inner)) found(inner, 'Ref', here);
      continue;
    }
    if (key === 'Fn::GetAtt') {
      const id = Array.isArray(inner)
        ? inner[0]
        : typeof inner === 'string'
          ? inner.split('.')[0]
          : undefined;
      if (isResource(id)) found(id, 'Fn::GetAtt', here);
      // The attribute name may itself be an intrinsic (a Ref); look inside.
      if (Array.isArray(inner)) walk(inner.slice(1), here, resources, found);
      continue;
    }
    if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(inner) ? inner : [inner, undefined];
      const own = new Set(
        variables && typeof variables === 'object' ? Object.keys(variables as object) : [],
      );
      if (typeof text === 'string') {
        for (const name of subNames(text)) {
          if (!own.has(name) && isResource(name)) found(name, 'Fn::Sub', here);
        }
      }
      walk(variables, [...here, '1'], resources, found);
      continue;
    }
    walk(inner, here, resources, found);
  }
};

/** Every dependency between the template's resources, once per (from, to, via, at). */
export const dependencies = (template: Pick<Template, 'Resources'>): Dependency[] => {
  const resources = template.Resources ?? {};
  const edges: Dependency[] = [];
  for (const [from, resource] of Object.entries(resources)) {
    const { DependsOn: dependsOn, ...rest } = resource as Record<string, unknown>;
    // References first: a cycle's path shows the property that names the next resource.
    walk(rest, [], resources, (to, via, at) => {
      edges.push({ from, to, via, at: at.join('/') });
    });
    const listed =
      dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn];
    listed.forEach((to, index) => {
      if (typeof to === 'string' && Object.hasOwn(resources, to)) {
        edges.push({
          from,
          to,
          via: 'DependsOn',
          at: Array.isArray(dependsOn) ? `DependsOn/${index}` : 'DependsOn',
        });
      }
    });
  }
  return edges;
};

/**
 * The dependency cycles of a template: one cycle (the shortest through its first resource) for
 * each group of resources that depend on each other, as the edges that close it, from and back
 * to the same resource. Empty when CloudFormation can order every resource.
 */
export const dependencyCycles = (template: Pick<Template, 'Resources'>): Dependency[][] => {
  const edges = dependencies(template);
  const out = new Map<string, Dependency[]>();
  for (const edge of edges) out.set(edge.from, [...(out.get(edge.from) ?? []), edge]);
  const nodes = Object.keys(template.Resources ?? {}).sort();

  // Tarjan's strongly connected components (iterative, so a large template cannot overflow).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const frames: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { node: string; edge: number };
      const targets = out.get(frame.node) ?? [];
      if (frame.edge < targets.length) {
        const to = (targets[frame.edge++] as Dependency).to;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          frames.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(to) as number));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) {
        low.set(
          parent.node,
          Math.min(low.get(parent.node) as number, low.get(frame.node) as number),
        );
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  }

  const cycles: Dependency[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = component[0] as string;
    const selfEdge = (out.get(start) ?? []).find((e) => e.to === start);
    if (component.length === 1) {
      if (selfEdge) cycles.push([selfEdge]);
      continue;
    }
    // Breadth-first from `start` within the component, back to `start`: the shortest cycle.
    const reachedBy = new Map<string, Dependency>();
    const queue = [start];
    let closing: Dependency | undefined;
    while (queue.length > 0 && !closing) {
      const node = queue.shift() as string;
      for (const edge of out.get(node) ?? []) {
        if (!members.has(edge.to)) continue;
        if (edge.to === start) {
          closing = edge;
          break;
        }
        if (!reachedBy.has(edge.to)) {
          reachedBy.set(edge.to, edge);
          queue.push(edge.to);
        }
      }
    }
    const cycle: Dependency[] = [];
    for (let edge = closing; edge; edge = reachedBy.get(edge.from)) {
      cycle.unshift(edge);
      if (edge.from === start) break;
    }
    cycles.push(cycle);
  }
  return cycles.sort((a, b) => String(a[0]?.from).localeCompare(String(b[0]?.from)));
};

/** `A —Fn::GetAtt (Properties/Role)→ B —Ref (…)→ A`: a cycle as one line. */
export const formatCycle = (cycle: Dependency[]): string =>
  cycle.length === 0
    ? ''
    : [cycle[0]?.from, ...cycle.map((edge) => `—${edge.via} (${edge.at})→ ${edge.to}`)].join(' ');
