// `pnpm trailscan …` runs this with the repository as the working directory. Paths on the command line are the
// user's, relative to where pnpm was started, which pnpm (like npm) passes as INIT_CWD.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD)
await import('../packages/cli/dist/bin.js')
