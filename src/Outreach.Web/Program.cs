using Outreach.Web.Cli;
using Outreach.Web.Hosting;

// One executable: with a verb (migrate, seed-demo, import) it runs that command and exits; otherwise it is the web host.
if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddOutreach();
var app = builder.Build();
app.UseOutreach();
await app.RunAsync();
return 0;

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
