// Drives a knight-gateway's OpenAI-compatible face with the official `openai` SDK (6.49.0):
// list and retrieve the model, a completion, a raw stream with usage in its last chunk, the
// ChatCompletionStream helper, JSON mode, and the errors. Prints one JSON object for
// tests/integration/gateway_chat_clients.cpp, which asserts on it.
//
//   OPENAI_BASE_URL=http://127.0.0.1:18789/v1 OPENAI_API_KEY=<GATEWAY_TOKEN> node tests/interop/openai_chat.mjs
import OpenAI from "openai";

const baseURL = process.env.OPENAI_BASE_URL;
const apiKey = process.env.OPENAI_API_KEY;
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const report = {};

// An error as the SDK raised it: its class, status and the code OpenAI clients branch on.
const caught = async (fn) => {
  try {
    await fn();
    return { thrown: false };
  } catch (e) {
    return { thrown: true, name: e.constructor?.name, status: e.status ?? null, code: e.code ?? null, message: String(e.message) };
  }
};

const models = await client.models.list();
const listed = [];
for await (const model of models) listed.push(model);
report.models = listed;
const model = listed[0].id;
report.retrieved = await client.models.retrieve(model);
report.retrieveUnknown = await caught(() => client.models.retrieve("fleet-z/nobody"));

const completion = await client.chat.completions.create({
  model,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "status of the walls?" },
  ],
});
report.completion = {
  model: completion.model,
  object: completion.object,
  content: completion.choices[0].message.content,
  role: completion.choices[0].message.role,
  finishReason: completion.choices[0].finish_reason,
  usage: completion.usage,
};

// The raw stream, as most chat front-ends read it.
const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "a long report please" }],
  stream: true,
  stream_options: { include_usage: true },
});
const chunks = [];
let streamed = "";
for await (const chunk of stream) {
  chunks.push(chunk);
  for (const choice of chunk.choices) streamed += choice.delta?.content ?? "";
}
const last = chunks[chunks.length - 1];
report.stream = {
  chunks: chunks.length,
  text: streamed,
  lastChoices: last.choices,
  lastUsage: last.usage,
  usageOnlyInLast: chunks.slice(0, -1).every((c) => c.usage === null || c.usage === undefined),
  finishReasons: chunks.flatMap((c) => c.choices.map((x) => x.finish_reason)).filter((f) => f),
  ids: [...new Set(chunks.map((c) => c.id))].length,
  model: last.model,
};

// The SDK's helper: events, then the assembled completion.
const helper = client.chat.completions.stream({
  model,
  messages: [{ role: "user", content: "helper question" }],
  stream_options: { include_usage: true },
});
let helperText = "";
let helperChunks = [];
helper.on("content", (delta) => (helperText += delta));
helper.on("chunk", (chunk) => helperChunks.push(chunk));
const final = await helper.finalChatCompletion();
report.helper = {
  eventText: helperText,
  finalContent: final.choices[0].message.content,
  finalRole: final.choices[0].message.role,
  finishReason: final.choices[0].finish_reason,
  usage: final.usage,
  lastChunkChoices: helperChunks[helperChunks.length - 1].choices,
  finalContentFromHelper: await helper.finalContent(),
};

// JSON mode: the content parses.
const jsonMode = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "json please" }],
  response_format: { type: "json_object" },
});
report.json = { content: jsonMode.choices[0].message.content };
try {
  report.json.parsed = JSON.parse(jsonMode.choices[0].message.content);
} catch (e) {
  report.json.parseError = String(e);
}

// Another model name is accepted; the answer names the knight that gave it.
const other = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "who answers?" }] });
report.otherModel = { model: other.model, content: other.choices[0].message.content };

const wrongKey = new OpenAI({ baseURL, apiKey: "wrong-token", maxRetries: 0 });
report.wrongKey = await caught(() => wrongKey.models.list());
report.badRequest = await caught(() => client.chat.completions.create({ model, messages: [] }));

console.log(JSON.stringify(report));
