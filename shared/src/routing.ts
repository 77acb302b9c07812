/**
 * Route templates (`/users/{userid}`) matched against request paths. Used by a function to check that
 * an HTTP event is meant for its operation (a catch-all route could send it anything), and by the
 * local server to route like API Gateway does.
 */
import type { HttpMethod } from './operations.ts';

export interface RouteTemplate {
  readonly method: HttpMethod;
  readonly path: string;
}

export interface CompiledRoute<T extends RouteTemplate = RouteTemplate> {
  readonly route: T;
  /** API Gateway's `routeKey` of the route (`GET /users/{userid}`). */
  readonly routeKey: string;
  readonly parameterNames: readonly string[];
  /** The path parameters (URL-decoded, as API Gateway hands them over), or undefined if the path does not match. */
  match(path: string): Record<string, string> | undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

export function compileRoute<T extends RouteTemplate>(route: T): CompiledRoute<T> {
  const parameterNames: string[] = [];
  const source = route.path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const parameter = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (parameter === undefined) return escapeRegExp(part);
      parameterNames.push(parameter);
      return '([^/]+)';
    })
    .join('');
  const pattern = new RegExp(`^${source}/?$`);
  return {
    route,
    routeKey: `${route.method} ${route.path}`,
    parameterNames,
    match(path) {
      const values = pattern.exec(path)?.slice(1);
      if (values === undefined) return undefined;
      const parameters: Record<string, string> = {};
      for (const [index, name] of parameterNames.entries()) {
        const decoded = safeDecode(values[index] ?? '');
        if (decoded === undefined) return undefined;
        parameters[name] = decoded;
      }
      return parameters;
    },
  };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export type RouteMatch<T extends RouteTemplate> =
  | { readonly kind: 'found'; readonly route: T; readonly pathParameters: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly HttpMethod[] }
  | { readonly kind: 'not-found' };

/** API Gateway's rule, plus the 405 it does not give: a known path with another method. */
export function findRoute<T extends RouteTemplate>(
  routes: readonly CompiledRoute<T>[],
  method: string,
  path: string,
): RouteMatch<T> {
  const allow: HttpMethod[] = [];
  for (const compiled of routes) {
    const pathParameters = compiled.match(path);
    if (pathParameters === undefined) continue;
    if (compiled.route.method === method) return { kind: 'found', route: compiled.route, pathParameters };
    allow.push(compiled.route.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}
