/**
 * `GET /docs`: an interactive page for `/openapi.json` (Swagger UI, from the `swagger-ui-dist` package
 * in node_modules: no CDN, so it works offline), where every route can be read and tried against this
 * local API. Only the viewer's own files are served, by name: nothing else of the disk is reachable.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export const DOCS_PATH = '/docs';

/** The viewer's files this page loads, with their content types. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const assetDirectory = () =>
  path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The page: the viewer on /openapi.json, "Try it out" on, requests to this same origin. */
function page(openApiPath: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>WeCom contact API (local)</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({
        url: ${JSON.stringify(openApiPath)},
        dom_id: '#swagger-ui',
        deepLinking: true,
        displayOperationId: true,
        tryItOutEnabled: true,
      });
    </script>
  </body>
</html>
`;
}

/** Files are read once, on first request. */
const cache = new Map<string, Buffer>();

/** Whether a path is the docs page or one of its files. */
export const isDocsPath = (pathname: string): boolean =>
  pathname === DOCS_PATH || pathname.startsWith(`${DOCS_PATH}/`);

/**
 * The page or file a GET under /docs asks for, or undefined when there is none (the server answers
 * its own 404 and 405, as for every route).
 * @example docsAnswer('/docs', '/openapi.json') // the HTML page
 */
export function docsAnswer(
  pathname: string,
  openApiPath: string,
): APIGatewayProxyStructuredResultV2 | undefined {
  if (pathname === DOCS_PATH || pathname === `${DOCS_PATH}/`) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: page(openApiPath),
    };
  }
  const name = pathname.slice(DOCS_PATH.length + 1);
  const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (type === undefined) return undefined;
  let content = cache.get(name);
  if (content === undefined) {
    content = readFileSync(path.join(assetDirectory(), name));
    cache.set(name, content);
  }
  return {
    statusCode: 200,
    headers: { 'content-type': type, 'cache-control': 'max-age=3600' },
    body: content.toString('base64'),
    isBase64Encoded: true,
  };
}
