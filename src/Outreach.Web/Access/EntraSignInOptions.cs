using System.ComponentModel.DataAnnotations;
using Outreach.Core.Access;
using Outreach.Entra;

namespace Outreach.Web.Access;

/// <summary>
/// Configuration section "Access:Entra": people sign in with their Microsoft (Entra ID) account, and integrations may call the
/// API with an Entra access token. Off while TenantId, ClientId and Authority are all empty (the embedded default: local users).
/// The app registration's app roles (values <see cref="AdministratorRole"/>, <see cref="SecretariatRole"/>,
/// <see cref="ManagerRole"/>) decide the Outreach role; see docs/entra.md.
/// </summary>
public sealed class EntraSignInOptions : EntraAppOptions, IValidatableObject
{
    public const string Section = "Access:Entra";
    public const string DefaultInstance = "https://login.microsoftonline.com/";

    /// <summary>The Entra cloud's sign-in address (another for national clouds).</summary>
    public string Instance { get; set; } = DefaultInstance;

    /// <summary>The OpenID Connect issuer; empty: {Instance}{TenantId}/v2.0. Set for a local test issuer.</summary>
    public string? Authority { get; set; }

    /// <summary>Where Entra sends people back after signing in; registered as the app's web redirect URI.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>The app role values (in the token's roles claim) that give each Outreach role; the highest one wins.</summary>
    public string AdministratorRole { get; set; } = "administrator";
    public string SecretariatRole { get; set; } = "secretariat";
    public string ManagerRole { get; set; } = "manager";

    /// <summary>
    /// Whether local users may still sign in with a password (the demo admin, break-glass accounts). False: the sign-in page
    /// offers only "Sign in with Microsoft" and refuses password posts.
    /// </summary>
    public bool LocalPasswords { get; set; } = true;

    /// <summary>The audiences an API caller's access token may carry; empty: the ClientId and api://{ClientId}.</summary>
    public string[] ApiAudiences { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(TenantId) || !string.IsNullOrWhiteSpace(ClientId) || !string.IsNullOrWhiteSpace(Authority);

    public string AuthorityUrl() => string.IsNullOrWhiteSpace(Authority)
        ? $"{(Instance ?? DefaultInstance).TrimEnd('/')}/{TenantId?.Trim()}/v2.0"
        : Authority.Trim().TrimEnd('/');

    public string[] Audiences() => ApiAudiences is { Length: > 0 } ? ApiAudiences : [ClientId!, $"api://{ClientId}"];

    /// <summary>The Outreach role the token's app roles give (the highest), or null for none Outreach knows.</summary>
    public Role? RoleFrom(IEnumerable<string> appRoles)
    {
        var given = appRoles.ToHashSet(StringComparer.Ordinal);
        return given.Contains(AdministratorRole) ? Role.Administrator
            : given.Contains(SecretariatRole) ? Role.Secretariat
            : given.Contains(ManagerRole) ? Role.Manager
            : null;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            if (!LocalPasswords)
                yield return new ValidationResult(
                    $"{Section}:LocalPasswords is false, but Entra ID sign-in is not configured ({Section}:TenantId and {Section}:ClientId): nobody could sign in.", [nameof(LocalPasswords)]);
            yield break;
        }

        if (string.IsNullOrWhiteSpace(ClientId))
            yield return new ValidationResult($"Entra ID sign-in needs {Section}:ClientId (the app registration's Application (client) ID).", [nameof(ClientId)]);
        if (string.IsNullOrWhiteSpace(TenantId) && string.IsNullOrWhiteSpace(Authority))
            yield return new ValidationResult($"Entra ID sign-in needs {Section}:TenantId (the Directory (tenant) ID).", [nameof(TenantId)]);
        if (!Uri.TryCreate(AuthorityUrl(), UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && !(authority.Scheme == Uri.UriSchemeHttp && IsLoopback(authority))))
            yield return new ValidationResult($"{Section}:Instance and {Section}:Authority must give an https address (http only for a loopback test issuer); '{AuthorityUrl()}' is not one.", [nameof(Authority)]);
        if (!CallbackPath.StartsWith('/'))
            yield return new ValidationResult($"{Section}:CallbackPath must start with '/' (default /signin-oidc).", [nameof(CallbackPath)]);
        var roles = new[] { AdministratorRole, SecretariatRole, ManagerRole };
        if (roles.Any(string.IsNullOrWhiteSpace) || roles.Distinct(StringComparer.Ordinal).Count() != roles.Length)
            yield return new ValidationResult($"{Section}:AdministratorRole, {Section}:SecretariatRole and {Section}:ManagerRole must be three different app role values.", [nameof(AdministratorRole)]);
        // Signing in redeems the authorization code as the app: with its secret or a certificate-signed assertion.
        if (Credential is not (EntraCredentialType.ClientSecret or EntraCredentialType.Certificate))
            yield return new ValidationResult(
                $"{Section}:Credential {Credential} is not available for sign-in; use ClientSecret or Certificate (a certificate uploaded to the app registration, no secret).", [nameof(Credential)]);
        else
            foreach (var problem in CredentialProblems(Section, "Entra ID sign-in"))
                yield return problem;
    }
}
