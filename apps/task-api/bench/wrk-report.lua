-- wrk reporting hook for bench/harness.ts: one machine-readable line after the run (the request
-- loop itself is untouched, so the measurement costs nothing extra). Latencies in microseconds.
done = function(summary, latency, requests)
  io.write(string.format(
    'BENCH_WRK {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,' ..
    '"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
