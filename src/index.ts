import { run } from './main.ts'
import { post } from './post.ts'
import { isPostStep } from './state.ts'

await (isPostStep() ? post() : run())
