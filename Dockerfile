# Outreach as a container: built from source in the SDK image, run as the non-root "app" user of the ASP.NET runtime image.
# docker build -t outreach .   (see docs/deployment.md for the embedded and the PostgreSQL set-ups)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# Restore first, on the project files only, so a code change does not re-download packages.
COPY Directory.Build.props Directory.Packages.props BannedSymbols.txt ./
COPY src/Outreach.Core/Outreach.Core.csproj src/Outreach.Core/
COPY src/Outreach.Storage/Outreach.Storage.csproj src/Outreach.Storage/
COPY src/Outreach.Mail/Outreach.Mail.csproj src/Outreach.Mail/
COPY src/Outreach.Graph/Outreach.Graph.csproj src/Outreach.Graph/
COPY src/Outreach.Dataverse/Outreach.Dataverse.csproj src/Outreach.Dataverse/
COPY src/Outreach.Jobs/Outreach.Jobs.csproj src/Outreach.Jobs/
COPY src/Outreach.Web/Outreach.Web.csproj src/Outreach.Web/
RUN dotnet restore src/Outreach.Web/Outreach.Web.csproj
COPY src/ src/
RUN dotnet publish src/Outreach.Web/Outreach.Web.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The data folder (SQLite database, .eml pickup folder) is a volume owned by the app user and readable by it only.
RUN mkdir -p /data && chown "$APP_UID" /data && chmod 0700 /data
VOLUME /data
ENV ASPNETCORE_ENVIRONMENT=Production \
    Urls=http://+:8080 \
    Storage__DataFolder=/data \
    Outreach__SeedDemoDataOnFirstStart=false
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["dotnet", "/app/Outreach.Web.dll", "health-check", "--url", "http://127.0.0.1:8080/health"]
ENTRYPOINT ["dotnet", "/app/Outreach.Web.dll"]
