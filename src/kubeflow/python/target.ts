/**
 * Which Python runs the training code: the `major.minor` the checks target (docs/architecture.md,
 * "Python checks"). A runtime may declare it with the annotation {@link PYTHON_VERSION_ANNOTATION};
 * otherwise it is looked up from the trainer image. Only images whose Python is documented are
 * listed: a wrong entry would refuse valid code, so anything else is unknown.
 */
export const PYTHON_VERSION_ANNOTATION = 'kubeflow-mcp/python-version';

/** `pytorch/pytorch:<torch version>-...` images (conda Python set by PyTorch's docker build). */
const PYTORCH_IMAGES: Array<[minTorch: [number, number], maxTorch: [number, number], python: string]> = [
  [[1, 13], [2, 3], '3.10'],
  [[2, 4], [2, 7], '3.11'],
];

const VERSION = /^3\.\d{1,2}$/;

/** The Python `major.minor` of an image, when the image is one whose Python is known. */
export function imagePython(image: string): string | undefined {
  const ref = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/^(docker\.io\/|index\.docker\.io\/)/, '');
  const official = /^(?:library\/)?python:(3\.\d{1,2})(?:[.-]|$)/.exec(ref);
  if (official) return official[1];
  const torch = /^pytorch\/pytorch:(\d+)\.(\d+)\.\d+(?:-|$)/.exec(ref);
  if (!torch) return undefined;
  const v = Number(torch[1]) * 1000 + Number(torch[2]);
  return PYTORCH_IMAGES.find(([lo, hi]) => v >= lo[0] * 1000 + lo[1] && v <= hi[0] * 1000 + hi[1])?.[2];
}

/**
 * The target Python: the runtime's declared version applies to the runtime's own image; an image
 * given with the job replaces the runtime's image, so then only the image counts.
 */
export function targetPython(runtime: { pythonVersion?: string; trainer: { image: string } } | undefined, image?: string): string | undefined {
  if (image) return imagePython(image);
  if (!runtime) return undefined;
  const declared = runtime.pythonVersion?.trim();
  return declared && VERSION.test(declared) ? declared : imagePython(runtime.trainer.image);
}
