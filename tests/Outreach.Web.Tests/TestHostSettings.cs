using System.Runtime.CompilerServices;

namespace Outreach.Web.Tests;

internal static class TestHostSettings
{
    /// <summary>
    /// Test hosts never edit their appsettings, and each one watching them takes an inotify instance: with many hosts at once
    /// (and other test processes) the user's 128 ran out and a host failed to start. The default host builder reads this.
    /// </summary>
    [ModuleInitializer]
    internal static void NoConfigurationReload() => Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}
