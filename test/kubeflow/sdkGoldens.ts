/**
 * Wire output of the Kubeflow Python SDK 0.5.0 (kubeflow/sdk release commit 776163f4), produced once
 * by hand by calling its get_command_using_train_func / get_args_using_torchtune_config on the
 * functions below (defined in a file named my.py). Kept as data: the tests need no Python.
 */

export const MY_PY = {
  train: 'def train(lr):\n    print(lr)\n',
  trainMany:
    'def train_many(lr, epochs, flag, name, path, extra=None):\n' +
    '    import os\n' +
    '    print(f"lr={lr} epochs={epochs} home={os.environ.get(\'HOME\')}")\n' +
    '    print(name, path, flag, extra)\n',
  /** A static method of a class: the source comes indented, with its decorator. */
  nested: '    @staticmethod\n    def nested(x):\n        return x * 2\n',
};

export const SDK_GOLDEN = {
  torchBasic: [
    'bash',
    '-c',
    '\nread -r -d \'\' SCRIPT << EOM\n\ndef train(lr):\n    print(lr)\n\ntrain(**{\'lr\': 0.1})\n\nEOM\nprintf "%s" "$SCRIPT" > "my.py"\ntorchrun "my.py"',
  ],
  torchNoargs: [
    'bash',
    '-c',
    '\nread -r -d \'\' SCRIPT << EOM\n\ndef train(lr):\n    print(lr)\n\ntrain()\n\nEOM\nprintf "%s" "$SCRIPT" > "my.py"\ntorchrun "my.py"',
  ],
  torchPip: [
    'bash',
    '-c',
    '\nif ! [ -x "$(command -v pip)" ]; then\n    python -m ensurepip || python -m ensurepip --user || apt-get install python-pip\nfi\n\n\nPACKAGES=(numpy \'transformers[torch]==4.44.0\')\nPIP_OPTS=(--index-url https://pypi.org/simple --extra-index-url https://download.pytorch.org/whl/cu121)\nLOG_FILE="pip_install.log"\nrm -f "$LOG_FILE"\n\nif PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --quiet \\\n    --no-warn-script-location "${PIP_OPTS[@]}" --user "${PACKAGES[@]}" >"$LOG_FILE" 2>&1; then\n    echo "Successfully installed Python packages (user): ${PACKAGES[*]}"\nelif PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --quiet \\\n    --no-warn-script-location "${PIP_OPTS[@]}" "${PACKAGES[@]}" >>"$LOG_FILE" 2>&1; then\n    echo "Successfully installed Python packages (system-wide): ${PACKAGES[*]}"\nelse\n    echo "ERROR: Failed to install Python packages: ${PACKAGES[*]}" >&2\n    cat "$LOG_FILE" >&2\n    exit 1\nfi\n\n\nread -r -d \'\' SCRIPT << EOM\n\ndef train_many(lr, epochs, flag, name, path, extra=None):\n    import os\n    print(f"lr={lr} epochs={epochs} home={os.environ.get(\'HOME\')}")\n    print(name, path, flag, extra)\n\ntrain_many(**{\'lr\': 1e-05, \'epochs\': 3, \'flag\': True, \'name\': "it\'s", \'path\': \'/data/x\', \'extra\': None})\n\nEOM\nprintf "%s" "$SCRIPT" > "my.py"\ntorchrun "my.py"',
  ],
  mpiPip: [
    'mpirun',
    '--hostfile',
    '/etc/mpi/hostfile',
    'bash',
    '-c',
    '\nif ! [ -x "$(command -v pip)" ]; then\n    python -m ensurepip || python -m ensurepip --user || apt-get install python-pip\nfi\n\n\nPACKAGES=(deepspeed)\nPIP_OPTS=(--index-url https://pypi.org/simple)\nLOG_FILE="/home/mpiuser/pip_install.log"\nrm -f "$LOG_FILE"\n\nif PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --quiet \\\n    --no-warn-script-location "${PIP_OPTS[@]}" --user "${PACKAGES[@]}" >"$LOG_FILE" 2>&1; then\n    echo "Successfully installed Python packages (user): ${PACKAGES[*]}"\nelif PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --quiet \\\n    --no-warn-script-location "${PIP_OPTS[@]}" "${PACKAGES[@]}" >>"$LOG_FILE" 2>&1; then\n    echo "Successfully installed Python packages (system-wide): ${PACKAGES[*]}"\nelse\n    echo "ERROR: Failed to install Python packages: ${PACKAGES[*]}" >&2\n    cat "$LOG_FILE" >&2\n    exit 1\nfi\n\n\nread -r -d \'\' SCRIPT << EOM\n\ndef train(lr):\n    print(lr)\n\ntrain(**{\'lr\': 0.5})\n\nEOM\nprintf "%s" "$SCRIPT" > "/home/mpiuser/my.py"\npython "/home/mpiuser/my.py"',
  ],
  pythonNested: [
    'bash',
    '-c',
    '\nread -r -d \'\' SCRIPT << EOM\n\n@staticmethod\ndef nested(x):\n    return x * 2\n\nnested(**{\'x\': [1, 2.5, \'a\']})\n\nEOM\nprintf "%s" "$SCRIPT" > "my.py"\npython "my.py"',
  ],
  ttFull: [
    'dtype=bf16',
    'batch_size=8',
    'epochs=2',
    'loss=torchtune.modules.loss.CEWithChunkedOutputLoss',
    'dataset.data_dir=/workspace/dataset/.',
    'model.apply_lora_to_mlp=True',
    'model.lora_rank=8',
    'model.lora_alpha=16',
    'model.lora_dropout=0.1',
    'model.lora_attn_modules=[q_proj,v_proj,output_proj]',
    'dataset=torchtune.datasets.instruct_dataset',
    'dataset.source=json',
    'dataset.split=train[:10%]',
    'dataset.train_on_input=False',
    'dataset.new_system_prompt=You are helpful.',
    "dataset.column_map={'input': 'prompt', 'output': 'response'}",
  ],
  ttQwenLora: ['dataset.data_dir=/workspace/dataset/.', 'model.lora_attn_modules=[q_proj,v_proj,output_proj]'],
  ttQloraFiles: [
    'epochs=1',
    'dataset.data_files=/workspace/dataset/data/train.parquet',
    'model.lora_dropout=0.0',
    'model.quantize_base=True',
    'model.lora_attn_modules=[q_proj,v_proj,output_proj]',
  ],
  ttDoraDir: [
    'dataset.data_dir=/workspace/dataset/sub/dir',
    'model.apply_lora_to_output=False',
    'model.use_dora=True',
    'model.lora_attn_modules=[q_proj,k_proj]',
  ],
} as const;
