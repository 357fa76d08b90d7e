namespace Outreach.Testing;

/// <summary>
/// A clock whose date only moves when the test says so, while timers and delays run in real time. Kept instead of
/// Microsoft.Extensions.TimeProvider.Testing's FakeTimeProvider, which refuses to move back (tests here set the date freely)
/// and fires timers only on Advance (a web host's background loops would stop).
/// </summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start.ToUniversalTime();

    public FakeTimeProvider() : this(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public void Advance(TimeSpan by) => now = now.Add(by);

    public void Set(DateTimeOffset to) => now = to.ToUniversalTime();
}
