// An MCP stdio server that misbehaves on request, for tests/integration/gateway_mcp.cpp: built
// on the official SDK, with tools that change the tool list, write garbage between messages,
// flood stdout with one huge line, or kill the process mid-call.
//   node mcp_client_unruly_server.mjs             serve on stdio
//   node mcp_client_unruly_server.mjs mute        read stdin, never answer (not even initialize)
//   node mcp_client_unruly_server.mjs http <port> serve over Streamable HTTP (a session each)
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { EmptyResultSchema } from "@modelcontextprotocol/sdk/types.js";

if (process.argv[2] === "mute") {
  process.stdin.resume();
  setInterval(() => {}, 1 << 30);
} else if (process.argv[2] === "http") {
  const sessions = new Map();
  http
    .createServer(async (req, res) => {
      const id = req.headers["mcp-session-id"];
      let transport = id ? sessions.get(id) : undefined;
      if (id && !transport) return res.writeHead(404).end();
      if (!transport) {
        transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sid) => sessions.set(sid, transport),
        });
        await makeServer().connect(transport);
      }
      await transport.handleRequest(req, res);
    })
    .listen(Number(process.argv[3]), "127.0.0.1");
} else {
  await makeServer().connect(new StdioServerTransport());
}

function makeServer() {
  const server = new McpServer({ name: "unruly", version: "1.0.0" });
  const text = (t) => ({ content: [{ type: "text", text: t }] });

  server.registerTool("unlock", { description: "Adds the vault tool", inputSchema: {} }, async () => {
    // Registering after connect makes the SDK send notifications/tools/list_changed.
    server.registerTool("vault", { description: "Opens the vault", inputSchema: {} }, async () => text("the vault is open"));
    return text("unlocked");
  });

  server.registerTool("noise", { description: "Answers after stdout garbage", inputSchema: {} }, async () => {
    process.stdout.write("this line is not JSON\n");
    process.stdout.write("[".repeat(100000) + "\n");
    process.stdout.write('{"jsonrpc":"2.0","id":"nobody-asked","result":{}}\n');
    return text("after the noise");
  });

  server.registerTool("flood", { description: "Writes one line of 9 MiB", inputSchema: {} }, async () => {
    process.stdout.write("x".repeat(9 << 20) + "\n");
    return text("flooded");
  });

  server.registerTool("big", { description: "Answers with 300 KiB of text", inputSchema: {} }, async () => text("b".repeat(300 * 1024)));

  server.registerTool("die", { description: "Exits mid-call", inputSchema: {} }, async () => {
    process.exit(3);
  });

  server.registerTool("ask_back", { description: "Pings the client, then asks it for sampling", inputSchema: {} }, async () => {
    await server.server.request({ method: "ping" }, EmptyResultSchema);
    try {
      await server.server.request({ method: "sampling/createMessage", params: { messages: [], maxTokens: 1 } }, EmptyResultSchema);
      return text("sampled");
    } catch (error) {
      return text(`pinged; sampling refused with ${error.code}`);
    }
  });

  server.registerTool("pid", { description: "Says its process id", inputSchema: {} }, async () => text(String(process.pid)));

  return server;
}
