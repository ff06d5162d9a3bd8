// Drives a knight-gateway's A2A front-end with the official A2A JavaScript SDK client
// (@a2a-js/sdk, protocol 1.0): discover the card, send (blocking and not), read the task,
// stream, cancel, and the errors. Prints one JSON object for tests/integration/gateway_a2a.cpp.
//
//   A2A_URL=http://127.0.0.1:18789 [A2A_TOKEN=...] node tests/interop/a2a_client.mjs
import { randomUUID } from "node:crypto";

import { AgentCard, Role, Task, TaskState } from "@a2a-js/sdk";
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from "@a2a-js/sdk/client";

const base = process.env.A2A_URL;
const token = process.env.A2A_TOKEN ?? "";
const prompts = JSON.parse(process.env.A2A_PROMPTS ?? '["first question", "second question", "streamed question", "background question"]');

// The card is public; the JSON-RPC calls carry the token, as the card's securitySchemes say.
const authFetch = (url, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return fetch(url, { ...init, headers });
};
const factory = new ClientFactory(
  ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ fetchImpl: authFetch })],
  }),
);

const message = (text, contextId) => ({
  messageId: randomUUID(),
  role: Role.ROLE_USER,
  parts: [{ content: { $case: "text", value: text } }],
  ...(contextId ? { contextId } : {}),
});
const stateName = (state) => TaskState[state] ?? String(state);
const textOf = (parts = []) => parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
const summary = (task) => ({
  id: task.id,
  contextId: task.contextId,
  state: stateName(task.status?.state),
  statusText: textOf(task.status?.message?.parts),
  answer: (task.artifacts ?? []).map((a) => textOf(a.parts)).join(""),
  history: (task.history ?? []).map((m) => ({ role: Role[m.role] ?? String(m.role), text: textOf(m.parts) })),
  wire: Task.toJSON(task),
});
const errorOf = async (promise) => {
  try {
    await promise;
    return { name: "none" };
  } catch (e) {
    return { name: e.name ?? "Error", message: e.message, code: e.envelopeCode ?? null };
  }
};

const out = {};
const client = await factory.createFromUrl(base);
const card = AgentCard.fromJSON(AgentCard.toJSON(client.agentCard));
out.card = {
  name: card.name,
  description: card.description,
  version: card.version,
  interfaces: card.supportedInterfaces.map((i) => ({ url: i.url, binding: i.protocolBinding, version: i.protocolVersion })),
  streaming: card.capabilities?.streaming ?? false,
  skills: card.skills.map((s) => ({ id: s.id, name: s.name, description: s.description, tags: s.tags })),
  securitySchemes: Object.keys(card.securitySchemes ?? {}),
  protocolVersion: client.protocolVersion,
};

// Blocking send: the answer is in the returned task.
const first = await client.sendMessage({ message: message(prompts[0]) });
out.blocking = summary(first);
// The task read back, with only the last message of its history.
out.get = summary(await client.getTask({ id: first.id, historyLength: 1 }));
// A second turn in the same context: the agent sees the first exchange.
out.second = summary(await client.sendMessage({ message: message(prompts[1], first.contextId) }));

// Streaming: the task, then status and artifact updates, ending with the final status.
out.stream = { events: [] };
for await (const event of client.sendMessageStream({ message: message(prompts[2]) })) {
  const { $case, value } = event.payload;
  if ($case === "task") out.stream.events.push({ kind: "task", state: stateName(value.status?.state), id: value.id });
  else if ($case === "statusUpdate")
    out.stream.events.push({ kind: "status", state: stateName(value.status?.state), text: textOf(value.status?.message?.parts) });
  else if ($case === "artifactUpdate") out.stream.events.push({ kind: "artifact", text: textOf(value.artifact?.parts), lastChunk: value.lastChunk });
  else out.stream.events.push({ kind: $case });
}
const streamedId = out.stream.events.find((e) => e.kind === "task")?.id;
out.stream.after = streamedId ? summary(await client.getTask({ id: streamedId })) : null;

// Non-blocking send: the task comes back at once; poll it to the end.
const background = await client.sendMessage({ message: message(prompts[3]), configuration: { returnImmediately: true } });
out.background = { first: stateName(background.status?.state) };
let polled = background;
for (let i = 0; i < 600 && ![TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_CANCELED].includes(polled.status?.state); ++i) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  polled = await client.getTask({ id: background.id });
}
out.background.final = summary(polled);

// Errors, as the SDK surfaces them.
out.errors = {
  cancelFinished: await errorOf(client.cancelTask({ id: first.id })),
  getUnknown: await errorOf(client.getTask({ id: randomUUID() })),
};

console.log(JSON.stringify(out));
