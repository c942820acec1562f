import { isPostStep } from './state.ts'

// Each step loads only its own half: a post step with nothing armed reads its state and ends.
if (isPostStep()) await (await import('./post.ts')).post()
else await (await import('./main.ts')).run()
