// server.js WSDL [ID_ELEMENT]: node-soap serving a WSDL on a free loopback port, the real peer
// that soapload's generated scenarios are tested against. Every operation of every port
// answers through one handler that counts the calls and keeps the arguments node-soap parsed
// from the request; when the arguments hold ID_ELEMENT (default RequestId), its value is
// answered back in an element of that name. GET /stats returns
// {calls: {op: n}, args: {op: last arguments}, ids: [...]} as JSON.
// Prints "listening on PORT" once it accepts connections.
"use strict";
const fs = require("fs");
const path = require("path");
const http = require("http");
const soap = require("soap");

const [wsdlPath, idElement = "RequestId"] = process.argv.slice(2);
if (!wsdlPath) {
  console.error("usage: node server.js WSDL [ID_ELEMENT]");
  process.exit(2);
}
const xml = fs.readFileSync(wsdlPath, "utf8");
const stats = { calls: {}, args: {}, ids: [] };

function findKey(value, key) {
  if (value === null || typeof value !== "object") return undefined;
  if (Object.prototype.hasOwnProperty.call(value, key)) return value[key];
  for (const v of Object.values(value)) {
    const found = findKey(v, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

function handler(op) {
  return (args) => {
    stats.calls[op] = (stats.calls[op] || 0) + 1;
    stats.args[op] = args;
    const id = findKey(args, idElement);
    const answer = {};
    if (id !== undefined) {
      stats.ids.push(String(id));
      answer[idElement] = id;
    }
    return answer;
  };
}

// node-soap looks handlers up as services[service][port][operation]: any name answers.
const operations = new Proxy({}, { get: (_, op) => (typeof op === "string" ? handler(op) : undefined) });
const ports = new Proxy({}, { get: () => operations });
const services = new Proxy({}, { get: () => ports });

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    const body = JSON.stringify(stats);
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(0, "127.0.0.1", () => {
  // uri: node-soap reads the WSDL's relative imports from its folder
  soap.listen(server, {
    path: "/soap",
    services,
    xml,
    uri: path.resolve(wsdlPath),
    callback: () => console.log("listening on " + server.address().port),
  });
});
