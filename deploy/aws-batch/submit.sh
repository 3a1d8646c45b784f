#!/bin/sh
# One sharded scan on AWS Batch: plan, an array job of SHARDS shard scans (each reads its index from
# AWS_BATCH_JOB_ARRAY_INDEX), then merge once every shard succeeded. Register job-definitions.json first:
#   jq -c '.[]' deploy/aws-batch/job-definitions.json | while read -r d; do aws batch register-job-definition --cli-input-json "$d"; done
# Batch substitutes whole command elements (Ref::name), so each path is a parameter of its own.
set -eu
QUEUE=${QUEUE:?set QUEUE to the job queue}
SOURCE=${SOURCE:?set SOURCE to the trail, e.g. s3://example-org-trail-bucket/}
# What earlier runs processed: plan picks only what is new there, merge commits to it.
STATE=${STATE:?set STATE to the scheduled-scan state, e.g. s3://example-org-trail-bucket-trailscan/state/}
SHARDS=${SHARDS:-8}
RUN=/data/runs/${RUN:-$(date -u +%Y%m%dT%H%M%SZ)}
plan=$(aws batch submit-job --job-name trailscan-plan --job-queue "$QUEUE" --job-definition trailscan-plan \
  --parameters "source=$SOURCE,state=$STATE,shards=$SHARDS,plan=$RUN/plan.json" --query jobId --output text)
shards=$(aws batch submit-job --job-name trailscan-shards --job-queue "$QUEUE" --job-definition trailscan-shard \
  --parameters "plan=$RUN/plan.json,outdir=$RUN/shards" --array-properties "size=$SHARDS" \
  --depends-on "jobId=$plan" --query jobId --output text)
aws batch submit-job --job-name trailscan-merge --job-queue "$QUEUE" --job-definition trailscan-merge \
  --parameters "plan=$RUN/plan.json,state=$STATE,outdir=$RUN/shards,findings=$RUN/findings.jsonl,summary=$RUN/summary.json" \
  --depends-on "jobId=$shards" --query jobId --output text
