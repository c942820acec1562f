// The entry point of both steps. The state the main step saved is read first, from the
// environment, and each step then loads only its own code: the main step its operation, the
// post step nothing at all unless the main step armed a rollback.
import { post } from './post.ts'
import { isPostStep } from './state.ts'

if (isPostStep()) await post()
else await (await import('./main.ts')).run()
