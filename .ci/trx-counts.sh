# Sourced by test.sh and test-real-milvus.sh: sums the counters of `dotnet test --logger trx` results and prints the
# closing line CI reads.

# count DIR: adds the TRX counters of every .trx file in DIR to $passed, $failed and $skipped (an xunit skip shows
# as total - executed; errors, timeouts and aborts count as failures).
count() {
  local f c
  for f in "$1"/*.trx; do
    [ -e "$f" ] || continue
    c=$(grep -o '<Counters [^>]*>' "$f" | head -n1)
    n() { local v; v=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$c"); echo "${v:-0}"; }
    passed=$((passed + $(n passed)))
    failed=$((failed + $(n failed) + $(n error) + $(n timeout) + $(n aborted)))
    skipped=$((skipped + $(n total) - $(n executed)))
  done
}

# summary: prints "N passed, N failed[, N skipped]".
summary() {
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
}
