using System.ComponentModel.DataAnnotations;

namespace Outreach.Graph.Tests;

public sealed class GraphOptionsTests
{
    private static List<string> Errors(GraphOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    [Fact]
    public void AStaticToken_IsAcceptedOnlyForALoopbackBaseUrl()
    {
        Assert.Empty(Errors(new GraphOptions { Mailbox = "m@x.example", BaseUrl = "http://127.0.0.1:5006/v1.0", AccessToken = "t" }));
        Assert.Empty(Errors(new GraphOptions { Mailbox = "m@x.example", BaseUrl = "http://[::1]:5006/v1.0", AccessToken = "t" }));
        var refused = Assert.Single(Errors(new GraphOptions { Mailbox = "m@x.example", AccessToken = "t" }));
        Assert.Contains("Graph:AccessToken", refused, StringComparison.Ordinal);
        Assert.Contains("loopback", refused, StringComparison.Ordinal);
        Assert.Contains("graph.microsoft.com", refused, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingKeys_AreNamed()
    {
        var errors = Errors(new GraphOptions { ClientId = "c" });
        Assert.Contains(errors, e => e.Contains("Graph:Mailbox", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("missing: Graph:TenantId, Graph:ClientSecret", StringComparison.Ordinal));
        Assert.Empty(Errors(new GraphOptions { Mailbox = "m@x.example", TenantId = "t", ClientId = "c", ClientSecret = "s" }));
        Assert.Contains(Errors(new GraphOptions { Mailbox = "m@x.example", TenantId = "t", ClientId = "c", ClientSecret = "s", BaseUrl = "http://graph.example/v1.0" }),
            e => e.Contains("https", StringComparison.Ordinal));
        Assert.Contains(Errors(new GraphOptions { Mailbox = "m@x.example", AccessToken = "t", BaseUrl = "http://127.0.0.1/v1.0", MaxConcurrent = 5 }),
            e => e.Contains("MaxConcurrent", StringComparison.Ordinal));
    }
}
