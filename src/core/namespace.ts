/**
 * A Cloud Map namespace as ECS names it in a serviceConnectConfiguration: a name, an id or an ARN (whose
 * last segment is the id). One lookup for doctor and the migration planner.
 */
export interface KnownNamespace {
  id: string;
  name: string;
}

/** The namespace `value` names among `namespaces`, by id, ARN or name; undefined when none matches. */
export function findNamespace<N extends KnownNamespace>(value: string | undefined, namespaces: readonly N[]): N | undefined {
  if (!value) return undefined;
  const id = value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
  return namespaces.find((n) => n.id === id || n.name === value);
}

/**
 * The namespace's name: the known namespace's, else `value` as given (an ARN or id of a namespace not
 * read stays itself, never taken for a name).
 */
export function namespaceNameOf(value: string | undefined, namespaces: readonly KnownNamespace[]): string | undefined {
  return findNamespace(value, namespaces)?.name ?? value;
}
