import { z } from 'zod';
import { env, numNodes, resources } from '../schemas.js';
import { jobArgs, trainingTool } from './submission.js';

export const runContainerTraining = trainingTool({
  name: 'run_container_training',
  title: 'Run training container',
  description: 'Run a training image on N nodes.',
  input: z.object({
    image: z.string().min(1).max(500),
    command: z.array(z.string()).max(128).optional(),
    args: z.array(z.string()).max(128).optional(),
    num_nodes: numNodes,
    resources,
    env,
    runtime: z.string().min(1).max(253).optional(),
    ...jobArgs,
  }),
  toRequest: async (a) => ({
    trainer: { kind: 'container', image: a.image, command: a.command, args: a.args, numNodes: a.num_nodes, resourcesPerNode: a.resources, env: a.env },
  }),
});
