using System.Diagnostics;

namespace Outreach.Testing;

/// <summary>
/// A clean-up script that runs after this process has ended, however it ends. Test fixtures need it because
/// <c>dotnet test</c> kills the test host 100 ms after the run (VSTEST_TESTHOST_SHUTDOWN_TIMEOUT), usually before
/// ProcessExit handlers have finished, and a killed or crashed host runs none at all.
/// </summary>
/// <remarks>
/// The script runs under /bin/sh in its own session (<c>setsid -f</c>: neither a kill of this process's tree nor a
/// Ctrl+C in the terminal reaches it). Its stdin is a pipe whose write end only this process holds, so reading
/// stdin to the end (<c>cat</c>) waits until this process has ended or called <see cref="Close"/>. Lines passed to
/// <see cref="Send"/> arrive on that stdin. Its output is discarded.
/// </remarks>
internal sealed class ExitWatchdog : IDisposable
{
    private readonly Process process;
    private readonly Lock gate = new();
    private bool broken;

    private ExitWatchdog(Process process) => this.process = process;

    /// <summary>Starts <paramref name="script"/> with <paramref name="args"/> as $1, $2, ...; null if no shell could be started.</summary>
    public static ExitWatchdog? Start(string script, params string[] args)
    {
        string[] shell = ["/bin/sh", "-c", "exec >/dev/null 2>&1\n" + script, "outreach-exit-watchdog", .. args];
        var info = File.Exists("/usr/bin/setsid") ? new ProcessStartInfo("/usr/bin/setsid", ["-f", .. shell]) : new ProcessStartInfo(shell[0], shell[1..]);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = Path.GetTempPath();
        try
        {
            var process = Process.Start(info);
            return process is null ? null : new ExitWatchdog(process);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Whether every line sent so far has reached the script (false once the pipe has broken or been closed).</summary>
    public bool IsHealthy
    {
        get { lock (gate) return !broken; }
    }

    /// <summary>Writes one line to the script's stdin; false if it could not be delivered.</summary>
    public bool Send(string line)
    {
        lock (gate)
        {
            if (broken) return false;
            try
            {
                process.StandardInput.Write(line + "\n");
                process.StandardInput.Flush();
                return true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                broken = true;
                return false;
            }
        }
    }

    /// <summary>Ends the script's stdin now, so it runs its clean-up without waiting for this process to end.</summary>
    public void Close()
    {
        lock (gate)
        {
            broken = true;
            try { process.StandardInput.Close(); } catch (IOException) { }
        }
    }

    public void Dispose()
    {
        Close();
        process.Dispose();
    }
}
