#!/usr/bin/env bash
# The cache-as-a-service API with curl: store an answer, look it up (exact and paraphrased), purge it by tag,
# store it again and remove it with a data-change event, as your own producers would on Kafka.
#
#   STRATA_URL=http://127.0.0.1:8080 bash cache-api.sh
#
# With STRATA_API_KEYS set on the server, export STRATA_KEY=<your key>.
set -euo pipefail

STRATA_URL=${STRATA_URL:-http://127.0.0.1:8080}
auth=()
if [[ -n "${STRATA_KEY:-}" ]]; then auth=(-H "X-Strata-Key: $STRATA_KEY"); fi

# POST a JSON body to a Strata path; prints the answer, fails on an HTTP error.
post() {
  curl -sS --fail-with-body "${auth[@]}" -H 'content-type: application/json' -d "$2" "$STRATA_URL$1"
  echo
}

question='"model": "gpt-4o-mini", "params": {"temperature": 0},
  "messages": [{"role": "system", "content": "You are the support bot of a shoe shop."},
               {"role": "user", "content": "How long do I have to return shoes?"}]'

echo '## store an answer, tagged with the document it comes from'
post /v1/cache/entries "{$question, \"response\": {\"answer\": \"30 days from delivery.\"}, \"tags\": [\"doc:returns-policy\"], \"ttl\": 3600}"

echo '## look it up: an exact hit'
post /v1/cache/lookup "{$question}"

echo '## a paraphrase of the question: a semantic (L3) hit when similar enough'
post /v1/cache/lookup '{"model": "gpt-4o-mini", "params": {"temperature": 0},
  "messages": [{"role": "system", "content": "You are the support bot of a shoe shop."},
               {"role": "user", "content": "how long do i have to return my shoes"}]}'

echo '## the returns policy changed: purge everything tagged with it, now'
post /v1/cache/purge '{"tags": ["doc:returns-policy"]}'

echo '## the same lookup now misses'
post /v1/cache/lookup "{$question, \"mode\": \"exact\"}"

echo '## store it again, then publish a data-change event (what your producers send on strata.data-changes.v1)'
post /v1/cache/entries "{$question, \"response\": {\"answer\": \"60 days from delivery.\"}, \"tags\": [\"doc:returns-policy\"]}"
post /v1/invalidations '{"tags": ["doc:returns-policy"], "reason": "returns policy updated"}'

echo '## the invalidation service purges it from every tier within moments'
purged=false
for _ in $(seq 1 100); do
  answer=$(post /v1/cache/lookup "{$question, \"mode\": \"exact\"}")
  if [[ "$answer" == *'"hit":false'* ]]; then purged=true; echo "$answer"; break; fi
  sleep 0.1
done
if [[ "$purged" != true ]]; then echo "still cached 10 s after the event: is the invalidation service running?" >&2; exit 1; fi

echo '## statistics'
curl -sS --fail-with-body "${auth[@]}" "$STRATA_URL/v1/cache/stats"
echo
