import type { Argv } from 'yargs'

/** `--to` and `--to-min-severity`: scan and merge deliver alike, so a sharded run delivers what one scan would. */
export function deliveryOptions<T>(y: Argv<T>) {
  return y
    .option('to', {
      type: 'string',
      describe: 'also deliver findings to DESTINATION: securityhub, sns:TOPIC_ARN, eventbridge:BUS, webhook:URL or slack:URL (repeatable)',
      group: 'Delivery:',
    })
    .option('to-min-severity', {
      type: 'string',
      describe: 'only findings at or above SEVERITY go to the --to just before this option',
      group: 'Delivery:',
    })
}

/** `--append`: the --out file of a scheduled scan or of a merge, which grows run after run. */
export function appendOption<T>(y: Argv<T>) {
  return y.option('append', {
    type: 'boolean',
    default: false,
    describe: 'append to the --out JSONL file, never writing an id it already holds',
    group: 'Scheduled scans:',
  })
}
