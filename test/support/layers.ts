// The layers of src/, from the top down: a file imports only from its own layer or from one below
// it. test/layers.test.ts checks every import of src/ against this table, and CONTRIBUTING.md's
// picture of it against it too.

export interface Layer {
  name: string
  /** What the layer is for, in a few words. */
  role: string
  /** Its folders of src/ (`api/`: every file below it) and its top-level files. */
  members: readonly string[]
}

export const LAYERS: readonly Layer[] = [
  {
    name: 'entry',
    role: 'the steps and what puts their tools together',
    members: ['index.ts', 'main.ts', 'post.ts', 'rollback.ts', 'compose.ts', 'registry.ts']
  },
  { name: 'operations', role: 'one file per verb', members: ['operations/'] },
  { name: 'mechanics', role: 'the fleet, carrying out a plan, waiting', members: ['fleet.ts', 'execute/', 'watch/'] },
  {
    name: 'handed',
    role: 'what an operation declares, is handed and speaks through',
    members: ['operation.ts', 'tools.ts', 'report.ts', 'outputs.ts', 'state.ts']
  },
  {
    name: 'decisions',
    role: 'pure planning and reading',
    members: ['plan/', 'inputs.ts', 'naming.ts', 'run-context.ts', 'kinds.ts']
  },
  { name: 'errors', role: 'what a failure is, and the one line it prints', members: ['errors.ts'] },
  { name: 'api', role: 'the VPS.org client, which knows nothing of the step', members: ['api/'] },
  { name: 'leaves', role: 'time and text', members: ['clock.ts', 'format.ts'] }
]
