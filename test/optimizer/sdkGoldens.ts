/**
 * Experiment bodies Kubeflow SDK 0.5.0 sends, written out by hand from its source
 * (kubeflow/optimizer/backends/kubernetes/backend.py `optimize`, types/search_types.py,
 * types/algorithm_types.py; Katib models serialised with to_dict(): camelCase, None dropped) for
 * the calls quoted above each case. The TrainJob part reuses the Trainer goldens' script format
 * (the function is defined in my.py). Kept as data: the tests need no Python.
 */

export const TRAIN_PY = 'def train(lr, batch_size, epochs):\n    print(f"loss={lr}")\n';

const script = (call: string): string => `\nread -r -d '' SCRIPT << EOM\n\n${TRAIN_PY}\n${call}\n\nEOM\nprintf "%s" "$SCRIPT" > "my.py"\ntorchrun "my.py"`;

/**
 * optimize(
 *   TrainJobTemplate(trainer=CustomTrainer(func=train, func_args={"epochs": 2}), runtime=<torch-distributed>),
 *   search_space={"lr": Search.loguniform(1e-05, 0.01), "batch_size": Search.choice([16, 32, 64])},
 *   trial_config=TrialConfig(num_trials=6, parallel_trials=2, max_failed_trials=2),
 *   objectives=[Objective(metric="loss", direction=Direction.MINIMIZE), Objective(metric="accuracy")],
 *   algorithm=RandomSearch(random_state=42))
 */
export const SDK_RANDOM = {
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'k1a2b3c4d5e6' },
  spec: {
    trialTemplate: {
      retain: true,
      primaryContainerName: 'node',
      trialParameters: [
        { name: 'lr', reference: 'lr' },
        { name: 'batch_size', reference: 'batch_size' },
      ],
      trialSpec: {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        spec: {
          runtimeRef: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
          trainer: {
            command: ['bash', '-c', script("train(**{'epochs': 2, 'lr': '${trialParameters.lr}', 'batch_size': '${trialParameters.batch_size}'})")],
          },
        },
      },
    },
    parameters: [
      { name: 'lr', parameterType: 'double', feasibleSpace: { min: '1e-05', max: '0.01', distribution: 'logUniform' } },
      { name: 'batch_size', parameterType: 'categorical', feasibleSpace: { list: ['16', '32', '64'] } },
    ],
    maxTrialCount: 6,
    parallelTrialCount: 2,
    maxFailedTrialCount: 2,
    objective: { objectiveMetricName: 'loss', type: 'minimize', additionalMetricNames: ['accuracy'] },
    algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '42' }] },
  },
};

/**
 * optimize(
 *   TrainJobTemplate(trainer=CustomTrainer(func=train, func_args={"lr": 0.01}), runtime=<torch-distributed>),
 *   search_space={"epochs": Search.choice([1, 2]), "batch_size": Search.choice([16, 32])},
 *   trial_config=TrialConfig(num_trials=4),
 *   algorithm=GridSearch())
 */
export const SDK_GRID = {
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'g1a2b3c4d5e6' },
  spec: {
    trialTemplate: {
      retain: true,
      primaryContainerName: 'node',
      trialParameters: [
        { name: 'epochs', reference: 'epochs' },
        { name: 'batch_size', reference: 'batch_size' },
      ],
      trialSpec: {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        spec: {
          runtimeRef: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
          trainer: {
            command: ['bash', '-c', script("train(**{'lr': 0.01, 'epochs': '${trialParameters.epochs}', 'batch_size': '${trialParameters.batch_size}'})")],
          },
        },
      },
    },
    parameters: [
      { name: 'epochs', parameterType: 'categorical', feasibleSpace: { list: ['1', '2'] } },
      { name: 'batch_size', parameterType: 'categorical', feasibleSpace: { list: ['16', '32'] } },
    ],
    maxTrialCount: 4,
    parallelTrialCount: 1,
    objective: { objectiveMetricName: 'loss', type: 'minimize' },
    algorithm: { algorithmName: 'grid' },
  },
};
