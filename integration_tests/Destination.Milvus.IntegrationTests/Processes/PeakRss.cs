using System.Globalization;

namespace Destination.Milvus.IntegrationTests.Processes;

/// <summary>
/// Samples <c>VmHWM</c> in <c>/proc/&lt;pid&gt;/status</c>, the kernel's high-water mark of a process's resident set,
/// every few milliseconds while it runs. The kernel keeps the maximum itself, so sampling only has to catch the
/// process before it exits, not the moment of the peak.
/// </summary>
internal static class PeakRss
{
    /// <summary>Samples until <paramref name="stop"/> is cancelled; returns the highest VmHWM seen in bytes (0 when none could be read).</summary>
    public static async Task<long> SampleAsync(int pid, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, ReadHighWaterMark(pid));
            try
            {
                await Task.Delay(5, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return peak;
    }

    /// <summary>VmHWM of a process in bytes, or 0 once it has exited (or on a system without /proc).</summary>
    private static long ReadHighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
