/**
 * Lambda code from the one build path (scripts/build.ts), run as CDK local bundling: `cdk synth` builds
 * exactly what it deploys, and unit tests skip the build with the context `aws:cdk:bundling-stacks: []`.
 * The asset hash is the hash of the build output, so an unchanged bundle is not uploaded again.
 */
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildFunction, buildLayer, type LayerBuildOptions, REPO_ROOT } from '../scripts/build.ts';
import type { FunctionId } from '../shared/src/function-ids.ts';

/**
 * CDK's asset cache is keyed on the JSON of the bundling options, where a closure does not show:
 * `target` is what tells two builds apart (without it every function would get the first one's bundle).
 */
class LocalBuild implements ILocalBundling {
  constructor(
    readonly target: string,
    private readonly build: (outputDir: string) => unknown,
  ) {}

  tryBundle(outputDir: string): boolean {
    this.build(outputDir); // throws on a build error, so the Docker fallback below never runs
    return true;
  }
}

function builtCode(build: LocalBuild): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: { image: DockerImage.fromRegistry('local-build-only'), local: build },
  });
}

/**
 * The function's entry (generated from its table row, or `functions/<id>.ts`), bundled with the layer
 * package left external.
 */
export const functionCode = (id: FunctionId): Code =>
  builtCode(new LocalBuild(`function:${id}`, (outputDir) => buildFunction(id, outputDir)));

/** The layer: `nodejs/node_modules/<layer package>/`. */
export const layerCode = (options: LayerBuildOptions = {}): Code =>
  builtCode(
    new LocalBuild(options.sourceMap ? 'layer+source-map' : 'layer', (outputDir) =>
      buildLayer(outputDir, options),
    ),
  );
