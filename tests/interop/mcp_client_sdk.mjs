// Drives `roundtable mcp` with the official MCP TypeScript SDK client, over stdio or Streamable
// HTTP, and prints what it saw as one line `RESULT <json>` for tests/integration/cli_mcp.cpp.
//   node mcp_client_sdk.mjs stdio <roundtable binary> '<plan json>'
//   node mcp_client_sdk.mjs http <url> '<plan json>' [bearer token]
// The plan names the fleet's knights: {"knight": "galahad", "domain": "comms", "failing": "forge"}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { EmptyResultSchema, LATEST_PROTOCOL_VERSION, McpError } from "@modelcontextprotocol/sdk/types.js";

const [mode, target, planText, token] = process.argv.slice(2);
const plan = JSON.parse(planText ?? "{}");

function transportFor() {
  if (mode === "stdio") {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    for (const name of ["NATS_URL", "FLEET_ID", "HOME"]) if (process.env[name]) env[name] = process.env[name];
    return new StdioClientTransport({ command: target, args: ["mcp", "--deadline", "30s"], env, stderr: "inherit" });
  }
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  return new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
}

const text = (result) => (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");

const out = { mode };
const client = new Client({ name: "roundtable-interop", version: "1.0.0" });
const transport = transportFor();
await client.connect(transport);
out.server = client.getServerVersion();
out.capabilities = client.getServerCapabilities();
out.protocolVersion = mode === "http" ? transport.protocolVersion : LATEST_PROTOCOL_VERSION;
out.sessionId = mode === "http" ? transport.sessionId ?? null : null;
out.instructions = client.getInstructions() ?? "";

await client.ping();
const tools = await client.listTools();
out.tools = tools.tools.map((t) => ({ name: t.name, required: t.inputSchema.required ?? [], hasOutputSchema: !!t.outputSchema }));

const knights = await client.callTool({ name: "knights", arguments: {} });
out.knights = { isError: knights.isError ?? false, structured: knights.structuredContent, text: text(knights) };

// The SDK validates structuredContent against each tool's outputSchema on every call below.
const byKnight = await client.callTool({ name: "ask", arguments: { knight: plan.knight, task: "briefing", deadline: "60s" } });
out.askKnight = { isError: byKnight.isError ?? false, structured: byKnight.structuredContent, text: text(byKnight) };

const byDomain = await client.callTool({
  name: "ask",
  arguments: { domain: plan.domain, task: "briefing", params: { question: "is the drawbridge up?" }, deadline: 60 },
});
out.askDomain = { isError: byDomain.isError ?? false, structured: byDomain.structuredContent, text: text(byDomain) };

const failing = await client.callTool({ name: "ask", arguments: { domain: plan.failing, task: "smelt" } });
out.askFailing = { isError: failing.isError ?? false, structured: failing.structuredContent, text: text(failing) };

const nobody = await client.callTool({ name: "ask", arguments: { knight: "nobody", task: "briefing" } });
out.askNobody = { isError: nobody.isError ?? false, text: text(nobody) };

let progress = [];
const fanout = await client.callTool(
  { name: "fanout", arguments: { knights: [plan.knight], domains: [plan.domain], task: "briefing", deadline: "60s" } },
  undefined,
  { onprogress: (p) => progress.push(p) },
);
out.fanout = { isError: fanout.isError ?? false, structured: fanout.structuredContent, text: text(fanout), progress };

const resources = await client.listResources();
out.resources = resources.resources.map((r) => r.uri);
const templates = await client.listResourceTemplates();
out.templates = templates.resourceTemplates.map((t) => t.uriTemplate);
const uri = byKnight.structuredContent?.resourceUri;
if (uri) {
  const read = await client.readResource({ uri });
  out.readResult = { uri: read.contents[0].uri, mimeType: read.contents[0].mimeType, doc: JSON.parse(read.contents[0].text) };
}
const roster = await client.readResource({ uri: "roundtable://knights" });
out.readKnights = JSON.parse(roster.contents[0].text);

try {
  await client.readResource({ uri: "roundtable://results/00000000-0000-4000-8000-000000000000" });
  out.missingResource = "no error";
} catch (error) {
  out.missingResource = error instanceof McpError ? error.code : String(error);
}
try {
  await client.request({ method: "no/such/method", params: {} }, EmptyResultSchema);
  out.unknownMethod = "no error";
} catch (error) {
  out.unknownMethod = error instanceof McpError ? error.code : String(error);
}

if (mode === "http") await transport.terminateSession();
await client.close();
console.log("RESULT " + JSON.stringify(out));
