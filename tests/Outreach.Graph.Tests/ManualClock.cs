namespace Outreach.Graph.Tests;

/// <summary>
/// A clock whose timers fire only when the test advances it (Task.Delay(…, clock) and the like), so waiting for a rate
/// limit takes no real time. The shared FakeTimeProvider keeps real timers, which the web host's loops rely on.
/// Not Microsoft.Extensions.TimeProvider.Testing's FakeTimeProvider (issue 13 point 10): it fires timers on Advance too, but
/// cannot say how many are waiting (<see cref="PendingTimers"/>), and these tests advance only once a sender is parked on the
/// clock; advanced earlier, the sender's wait would start after the jump and the test would hang.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object gate = new();
    private readonly List<ManualTimer> timers = [];
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate) return now;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Timers waiting to fire (something is waiting on this clock).</summary>
    public int PendingTimers
    {
        get { lock (gate) return timers.Count(t => t.Due is not null); }
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (gate)
        {
            now += by;
            due = timers.Where(t => t.Due is { } at && at <= now).ToList();
            foreach (var t in due) t.Due = t.Period is { } p && p > TimeSpan.Zero ? now + p : null;
        }

        foreach (var t in due) t.Fire();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (gate) timers.Add(timer);
        return timer;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public TimeSpan? Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock.gate)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? null : period;
            }

            return true;
        }

        public void Dispose()
        {
            lock (clock.gate)
            {
                Due = null;
                clock.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
