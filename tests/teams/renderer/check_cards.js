// Parses, validates and renders Adaptive Cards with Microsoft's own renderer (npm `adaptivecards`),
// under a host config with Teams' limits. Reads one card (JSON) per line on stdin and answers each
// with one line: the JSON list of problems found (parse warnings such as unknown element types,
// the renderer's validation failures such as TooManyActions or duplicate ids, render errors).
"use strict";
// the renderer logs to the console: keep stdout for the answers
console.log = console.error;
const { JSDOM } = require("jsdom");
const dom = new JSDOM("<!DOCTYPE html><body></body>", { url: "http://localhost/" });
// the renderer expects a browser's globals (window, document, HTMLElement and its kinds)
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (!(name in global) && name !== "localStorage" && name !== "sessionStorage") global[name] = dom.window[name];
}
global.window = dom.window;
global.document = dom.window.document;
const AC = require("adaptivecards/dist/adaptivecards.js");

// Teams renders Adaptive Cards up to 1.5 and shows at most 6 actions in one row (the renderer's
// default is 5: we keep to the stricter).
const hostConfig = new AC.HostConfig({ actions: { maxActions: 5 } });

// The ids of the choice sets whose choices Teams fetches (`choices.data`, a Data.Query: Teams'
// people picker and typeahead search). The renderer wants static choices in every choice set;
// Teams does not ask for any in these.
function fetchedChoiceSets(node, ids = new Set()) {
  if (Array.isArray(node)) node.forEach((item) => fetchedChoiceSets(item, ids));
  else if (node && typeof node === "object") {
    if (node.type === "Input.ChoiceSet" && node["choices.data"]) ids.add(node.id);
    Object.values(node).forEach((value) => fetchedChoiceSets(value, ids));
  }
  return ids;
}

function problemsOf(json) {
  const problems = [];
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  const context = new AC.SerializationContext();
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  const results = card.validateProperties();
  const fetched = fetchedChoiceSets(json);
  for (const event of results.validationEvents) {
    const source = event.source && event.source.id;
    if (event.event === AC.ValidationEvent.CollectionCantBeEmpty && fetched.has(source)) continue;
    problems.push(`validate: ${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  try {
    if (!card.render()) problems.push("render: nothing rendered");
  } catch (error) {
    problems.push(`render: ${error}`);
  }
  return problems;
}

const lines = require("readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let problems;
  try {
    problems = problemsOf(JSON.parse(line));
  } catch (error) {
    problems = [`not a card: ${error}`];
  }
  process.stdout.write(JSON.stringify(problems) + "\n");
});
