-- WS-Security X.509 signatures on every request, proven against implementations no one here
-- wrote: the bodies soapload signs verify with the xmlsec1 command and with python3-zeep's
-- WS-Security verification (given the certificate, and fail with another); the mock's
-- --wsse-verify-cert counts valid, invalid (a byte changed after signing), missing and expired
-- signatures, and a signed run's counts equal the mock's. Keys are made here with openssl.
local t = require("support")

local WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"

-- Keys and certificates made now (never committed), in a new directory: rsa (key, cert),
-- other (another RSA pair), enc.key (rsa's key under the password "pw"), rsa.p12 (key and
-- cert, password "pw"), ec (P-256), and pw / badpw files.
local function make_keys()
  local dir = t.tmpname(".wsse")
  local cmd = "(" .. table.concat({
    "mkdir -p " .. t.quote(dir), "cd " .. t.quote(dir),
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.pem -days 1 -subj /CN=signer",
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 1 -subj /CN=other",
    "openssl pkey -in rsa.key -aes256 -passout pass:pw -out enc.key",
    "openssl pkcs12 -export -in rsa.pem -inkey rsa.key -passout pass:pw -out rsa.p12",
    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key " ..
      "-out ec.pem -days 1 -subj /CN=ec-signer",
    "echo pw > pw", "echo wrong > badpw",
  }, " && ") .. ") > /dev/null 2>&1"
  assert(os.execute(cmd), "openssl could not make the test keys")
  return dir
end

-- The request bodies a dry run prints, as sent.
local function dry_bodies(args, n)
  local code, out, err = t.run(("--dry-run %d %s %s"):format(n, args,
    t.quote(t.root .. "/scripts/examples/default.lua")))
  assert.are.equal(0, code, (out or "") .. (err or ""))
  local bodies = {}
  for len, at in out:gmatch("Content%-Length: (%d+)\n\n()") do
    bodies[#bodies + 1] = out:sub(at, at + tonumber(len) - 1)
  end
  assert.are.equal(n, #bodies, out)
  return bodies
end

local function xmlsec1_verifies(body, cert)
  local f = t.write(t.tmpname(".xml"), body)
  local ok = os.execute(("xmlsec1 --verify --pubkey-cert-pem %s --id-attr:Id Body " ..
    "--id-attr:Id Timestamp %s > /dev/null 2>&1"):format(t.quote(cert), t.quote(f)))
  os.remove(f)
  return ok == true
end

local ZEEP = [[
import sys
from lxml import etree
from zeep.wsse.signature import verify_envelope, SignatureVerificationFailed
try:
    verify_envelope(etree.fromstring(open(sys.argv[1], "rb").read()), sys.argv[2])
    print("valid")
except SignatureVerificationFailed:
    print("invalid")
]]

-- "valid" or "invalid" as python3-zeep (with python3-xmlsec) says.
local function zeep_says(body, cert)
  local py, f = t.write(t.tmpname(".py"), ZEEP), t.write(t.tmpname(".xml"), body)
  local p = io.popen(("/usr/bin/python3 %s %s %s 2>&1"):format(t.quote(py), t.quote(f),
    t.quote(cert)))
  local out = p:read("a")
  p:close()
  os.remove(py)
  os.remove(f)
  return (out:gsub("%s+$", ""))
end

local function post(mock, body)
  return t.http(mock.port, "POST", "/soap/endpoint",
    { ["Content-Type"] = "text/xml; charset=utf-8", SOAPAction = '"urn:soapload:echo#Echo"' }, body)
end

describe("WS-Security X.509 signatures", function()
  local dir, mock
  local function k(name) return t.quote(dir .. "/" .. name) end
  local function sign_args(key, cert) return ("--wsse-sign-key %s --wsse-sign-cert %s"):format(key, cert) end
  setup(function()
    dir = make_keys()
    mock = t.start_mock("--wsse-verify-cert " .. k("rsa.pem"))
  end)
  teardown(function()
    mock.stop()
    os.execute("rm -rf " .. t.quote(dir))
  end)

  it("signs bodies that xmlsec1 and zeep verify with the certificate, and not with another", function()
    local cases = {
      { sign_args(k("rsa.key"), k("rsa.pem")), "rsa.pem", "rsa%-sha256", "xmlenc#sha256" },
      { sign_args(k("rsa.key"), k("rsa.pem")) .. " --wsse-sign-alg rsa-sha1", "rsa.pem",
        "xmldsig#rsa%-sha1", "xmldsig#sha1" },
      { sign_args(k("ec.key"), k("ec.pem")), "ec.pem", "ecdsa%-sha256", "xmlenc#sha256" },
      { "--wsse-sign-key " .. k("rsa.p12") .. " --wsse-sign-key-password-file " .. k("pw"),
        "rsa.pem", "rsa%-sha256", "xmlenc#sha256" },
      { sign_args(k("enc.key"), k("rsa.pem")) .. " --wsse-sign-key-password-env WSSE_PW",
        "rsa.pem", "rsa%-sha256", "xmlenc#sha256", "WSSE_PW=pw" },
    }
    for _, c in ipairs(cases) do
      local env = c[5] and (c[5] .. " ") or ""
      local code, out, err = t.run(("--dry-run 2 %s %s"):format(c[1],
        t.quote(t.root .. "/scripts/examples/default.lua")), env)
      assert.are.equal(0, code, out .. err)
      local bodies = {}
      for len, at in out:gmatch("Content%-Length: (%d+)\n\n()") do
        bodies[#bodies + 1] = out:sub(at, at + tonumber(len) - 1)
      end
      assert.are.equal(2, #bodies, out)
      for _, body in ipairs(bodies) do
        assert.truthy(body:find('SignatureMethod Algorithm="[^"]*' .. c[3] .. '"'), c[1] .. "\n" .. body)
        assert.truthy(body:find('DigestMethod Algorithm="[^"]*' .. c[4]:gsub("%-", "%%-") .. '"'), body)
        assert.truthy(body:find("<wsse:BinarySecurityToken ", 1, true), body)
        assert.truthy(xmlsec1_verifies(body, dir .. "/" .. c[2]), c[1] .. "\n" .. body)
        assert.are.equal("valid", zeep_says(body, dir .. "/" .. c[2]), c[1])
        assert.is_false(xmlsec1_verifies(body, dir .. "/other.pem"), c[1])
        assert.are.equal("invalid", zeep_says(body, dir .. "/other.pem"), c[1])
      end
    end
  end)

  it("signs SOAP 1.2 envelopes (mustUnderstand true) that xmlsec1 and zeep verify", function()
    local code, out, err = t.run(("--dry-run 1 %s %s"):format(sign_args(k("rsa.key"), k("rsa.pem")),
      t.quote(t.root .. "/scripts/examples/soap12.lua")))
    assert.are.equal(0, code, out .. err)
    local len, at = out:match("Content%-Length: (%d+)\n\n()")
    local body = out:sub(at, at + tonumber(len) - 1)
    assert.truthy(body:find('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">' ..
      '<soap:Header><wsse:Security ', 1, true), body)
    assert.truthy(body:find(' soap:mustUnderstand="true">', 1, true), body)
    assert.truthy(xmlsec1_verifies(body, dir .. "/rsa.pem"), body)
    assert.are.equal("valid", zeep_says(body, dir .. "/rsa.pem"))
  end)

  it("names the key by issuer and serial or by subject key identifier when asked", function()
    for _, ref in ipairs({ "issuer-serial", "ski" }) do
      local body = dry_bodies(sign_args(k("rsa.key"), k("rsa.pem")) .. " --wsse-key-ref " .. ref, 1)[1]
      assert.falsy(body:find("BinarySecurityToken", 1, true), body)
      if ref == "ski" then
        assert.truthy(body:find("#X509SubjectKeyIdentifier", 1, true), body)
      else
        assert.truthy(body:find("<ds:X509IssuerName>CN=signer</ds:X509IssuerName>", 1, true), body)
      end
      assert.truthy(xmlsec1_verifies(body, dir .. "/rsa.pem"), body)
      assert.are.equal("valid", zeep_says(body, dir .. "/rsa.pem"), ref)
    end
  end)

  it("refuses a missing file, a wrong password or a key of another certificate before sending", function()
    local cases = {
      { sign_args(k("nope.key"), k("rsa.pem")), "--wsse-sign-key " .. dir .. "/nope.key: No such file" },
      { sign_args(k("other.key"), k("rsa.pem")), "does not match the certificate" },
      { sign_args(k("enc.key"), k("rsa.pem")), "the key is encrypted: give its password" },
      { sign_args(k("enc.key"), k("rsa.pem")) .. " --wsse-sign-key-password-file " .. k("badpw"),
        "cannot decrypt the key: wrong password" },
      { "--wsse-sign-key " .. k("rsa.p12") .. " --wsse-sign-key-password-file " .. k("badpw"),
        "cannot open the PKCS#12 file: wrong password" },
      { sign_args(k("rsa.key"), k("rsa.pem")) .. " --wsse-sign-alg ecdsa-sha256",
        "--wsse-sign-alg ecdsa-sha256 needs an EC key" },
      { "--wsse-sign-key " .. k("rsa.key"), "holds no certificate: give it with --wsse-sign-cert" },
    }
    mock.reset()
    for _, c in ipairs(cases) do
      local code, out, err = t.run(("-q -R 50 -d 1s --url %s %s %s"):format(mock.url, c[1],
        t.quote(t.root .. "/scripts/examples/default.lua")))
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find(c[2], 1, true), err)
    end
    assert.are.equal(0, mock.stats().requests.total)
  end)

  it("signs every request of the default example: the mock verifies each, counts equal", function()
    mock.reset()
    local json = t.tmpname(".json")
    -- 40 connections, not the example's 20: under ASan the mock's xmlsec check of each request
    -- takes long enough to hold 5 connections per worker busy at a burst
    local code, out, err = t.run(("-R 100 -d 2s -c 40 --json %s --url %s %s %s"):format(t.quote(json),
      mock.url, sign_args(k("rsa.key"), k("rsa.pem")),
      t.quote(t.root .. "/scripts/examples/default.lua")))
    assert.are.equal(0, code, out .. err)
    local s = mock.stats()
    assert.are.same({ valid = 200, invalid = 0, missing = 0, expired = 0 }, s.signatures)
    assert.are.equal(200, s.requests.echo)
    assert.are.equal(200, s.ids.distinct)
    local res = t.json.decode(t.read(json))
    os.remove(json)
    assert.are.equal(200, res.summary.ok)
    assert.are.equal(200, res.summary.sent)
    -- what signing cost: the workers' CPU time per signature (an RSA-2048 one is hundreds of us)
    assert.are.equal(200, res.wsse.signed)
    assert.are.equal("rsa-sha256", res.wsse.alg)
    assert.is_true(res.wsse.sign_cpu_us_per_request > 10, out)
    local us = out:match("WS%-Security     200 requests signed %(rsa%-sha256, key by bst%), (%d+) us " ..
      "of worker CPU per signature")
    assert.truthy(us, out)
    assert.is_true(math.abs(tonumber(us) - res.wsse.sign_cpu_us_per_request) <= 1, out)
  end)

  it("counts at the mock a body changed after signing, a missing and an expired signature", function()
    mock.reset()
    local body = dry_bodies(sign_args(k("rsa.key"), k("rsa.pem")), 1)[1]
    local status, _, answer = post(mock, body)
    assert.are.equal(200, status, answer)
    -- one byte of the ID in the Body changed after signing
    local tampered = body:gsub("(<e:RequestId>P%d+%-R)1(</e:RequestId>)", "%17%2")
    assert.are_not.equal(body, tampered)
    status, _, answer = post(mock, tampered)
    assert.are.equal(500, status)
    assert.truthy(answer:find("<faultcode>wsse:FailedCheck</faultcode>", 1, true), answer)
    assert.is_false(xmlsec1_verifies(tampered, dir .. "/rsa.pem"))
    assert.are.equal("invalid", zeep_says(tampered, dir .. "/rsa.pem"))
    -- no signature at all
    status, _, answer = post(mock, t.envelope(t.SOAP11, "U-1"))
    assert.are.equal(500, status)
    assert.truthy(answer:find("wsse:InvalidSecurity", 1, true), answer)
    -- a Timestamp of one second, sent after it ran out
    local short = dry_bodies(sign_args(k("rsa.key"), k("rsa.pem")) .. " --wsse-ttl 1s", 1)[1]
    t.sleep(1.2)
    status, _, answer = post(mock, short)
    assert.are.equal(500, status)
    assert.truthy(answer:find("wsse:MessageExpired", 1, true), answer)
    assert.are.same({ valid = 1, invalid = 1, missing = 1, expired = 1 }, mock.stats().signatures)
  end)

  it("signs a header that already holds a UsernameToken: both checks pass at the mock", function()
    local pwfile = t.write(t.tmpname(".pw"), "s3cret\n")
    local both = t.start_mock(("--wsse-verify-cert %s --wsse-user alice --wsse-password-file %s")
      :format(k("rsa.pem"), t.quote(pwfile)))
    local script = t.script(([[
      soapload.url = %q
      soapload.rate = 50
      soapload.duration = "1s"
      function request(id)
        local sec = soapload.wsse.security(
          soapload.wsse.username_token{user = "alice", password = "s3cret"})
        return soapload.envelope(soapload.echo(id), nil, {sec})
      end
    ]]):format(both.url))
    local code, out, err = t.run(("-q -w 1 -c 2 %s %s"):format(sign_args(k("rsa.key"), k("rsa.pem")),
      script))
    os.remove(script)
    os.remove(pwfile)
    local s = both.stats()
    both.stop()
    assert.are.equal(0, code, out .. err)
    assert.are.equal(50, s.requests.echo)
    assert.are.same({ valid = 50, invalid = 0, missing = 0, expired = 0 }, s.signatures)
  end)
end)

-- Starts tests/spec/fixtures/zeep_signer.py in MODE on a free port, signing with rsa.key (or
-- with other.key, encrypting to rsa.pem, in mode "encrypt"); returns url and stop().
local function start_zeep_signer(dir, mode)
  local port, log = t.free_port(), t.tmpname(".zeep")
  local signer = mode == "encrypt" and "other" or "rsa"
  local p = io.popen(("/usr/bin/python3 %s %d %s %s %s %s > %s 2>&1 & echo $!"):format(
    t.quote(t.root .. "/tests/spec/fixtures/zeep_signer.py"), port,
    t.quote(dir .. "/" .. signer .. ".key"), t.quote(dir .. "/" .. signer .. ".pem"), mode,
    t.quote(dir .. "/rsa.pem"), t.quote(log)))
  local pid = tonumber(p:read("l"))
  p:close()
  local deadline = t.now() + 20
  while not (t.read(log) or ""):find("ready", 1, true) and t.now() < deadline do
    assert(t.alive(pid), "zeep_signer.py exited: " .. (t.read(log) or ""))
    t.sleep(0.05)
  end
  assert((t.read(log) or ""):find("ready", 1, true), "zeep_signer.py did not start")
  return {
    url = ("http://127.0.0.1:%d/soap/endpoint"):format(port),
    stop = function()
      os.execute("kill " .. pid .. " 2>/dev/null")
      os.remove(log)
    end,
  }
end

describe("WS-Security X.509 signatures on responses (--wsse-verify-cert)", function()
  local dir
  setup(function() dir = make_keys() end)
  teardown(function() os.execute("rm -rf " .. t.quote(dir)) end)

  -- Runs the default example at 20 req/s for 1 s against url; returns code, summary, JSON.
  local function run(url, cert)
    local json = t.tmpname(".json")
    local code, out, err = t.run(("-R 20 -d 1s -w 1 -c 2 --json %s --url %s --wsse-verify-cert %s %s")
      :format(t.quote(json), url, t.quote(dir .. "/" .. cert),
        t.quote(t.root .. "/scripts/examples/default.lua")))
    local res = t.json.decode(t.read(json) or "null")
    os.remove(json)
    return code, out .. err, res
  end

  it("accepts answers python3-zeep signed and fails others as signature, with the reason", function()
    local cases = {
      { "sign", "rsa.pem", 0, nil },
      { "sign", "other.pem", 1, "the signature does not verify" },
      { "tamper", "rsa.pem", 1, "the signature does not verify" },
      { "unsigned", "rsa.pem", 1, "no ds:Signature in a wsse:Security header" },
    }
    for _, c in ipairs(cases) do
      local srv = start_zeep_signer(dir, c[1])
      local code, out, res = run(srv.url, c[2])
      srv.stop()
      assert.are.equal(c[3], code, out)
      assert.are.equal(20, res.summary.sent, out)
      if c[4] == nil then
        assert.are.equal(20, res.summary.ok, out)
        assert.are.equal(0, res.summary.results.signature, out)
      else
        assert.are.equal(20, res.summary.results.signature, out)
        assert.truthy(out:find("signature%s+20  " .. c[4]:gsub("%p", "%%%0")), out)
        t.reasons_invariants(res)
      end
    end
  end)

  it("--wsse-verify-ca: answers whose BinarySecurityToken chains to the CA verify with its key; " ..
     "another CA's, a self-signed token or none fail as signature", function()
    -- a test CA, a leaf it signed (the zeep server's), and a second CA
    assert(os.execute(("cd %s && (openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem " ..
      "-days 1 -subj /CN=test-ca && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca2.key -out ca2.pem " ..
      "-days 1 -subj /CN=other-ca && openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr " ..
      "-subj /CN=service && openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial " ..
      "-days 1 -out leaf.pem) > /dev/null 2>&1"):format(t.quote(dir))))
    local function run_ca(url, ca)
      local json = t.tmpname(".json")
      local code, out, err = t.run(("-R 20 -d 1s -w 1 -c 2 --json %s --url %s --wsse-verify-ca %s %s")
        :format(t.quote(json), url, t.quote(dir .. "/" .. ca),
          t.quote(t.root .. "/scripts/examples/default.lua")))
      local res = t.json.decode(t.read(json) or "null")
      os.remove(json)
      return code, out .. err, res
    end
    local function serve(key, mode)
      local port, log = t.free_port(), t.tmpname(".zeep")
      local p = io.popen(("/usr/bin/python3 %s %d %s %s %s > %s 2>&1 & echo $!"):format(
        t.quote(t.root .. "/tests/spec/fixtures/zeep_signer.py"), port, t.quote(dir .. "/" .. key .. ".key"),
        t.quote(dir .. "/" .. key .. ".pem"), mode, t.quote(log)))
      local pid = tonumber(p:read("l"))
      p:close()
      local deadline = t.now() + 20
      while not (t.read(log) or ""):find("ready", 1, true) and t.now() < deadline do t.sleep(0.05) end
      return ("http://127.0.0.1:%d/soap/endpoint"):format(port), function()
        os.execute("kill " .. pid .. " 2>/dev/null")
        os.remove(log)
      end
    end
    local cases = {
      { "leaf", "bst", "ca.pem", 0, nil },
      { "leaf", "bst", "ca2.pem", 1, "the BinarySecurityToken's certificate does not chain to the CA: " ..
        "unable to get local issuer certificate" },
      { "rsa", "bst", "ca.pem", 1, "the BinarySecurityToken's certificate does not chain to the CA: " ..
        "self-signed certificate" },
      { "leaf", "sign", "ca.pem", 1, "no BinarySecurityToken to check against the CA" },
    }
    for _, c in ipairs(cases) do
      local url, stop = serve(c[1], c[2])
      local code, out, res = run_ca(url, c[3])
      stop()
      assert.are.equal(c[4], code, out)
      assert.are.equal(20, res.summary.sent, out)
      if c[5] == nil then
        assert.are.equal(20, res.summary.ok, out)
        assert.are.equal(0, res.summary.results.signature, out)
      else
        assert.are.equal(20, res.summary.results.signature, out)
        assert.truthy(out:find("signature%s+20  " .. c[5]:gsub("%p", "%%%0")), out)
      end
    end
    local code, _, err = t.run(("--dry-run 1 --wsse-verify-ca %s --wsse-verify-cert %s %s"):format(
      t.quote(dir .. "/ca.pem"), t.quote(dir .. "/rsa.pem"), t.quote(t.root .. "/scripts/examples/default.lua")))
    assert.are.equal(2, code, err)
    assert.truthy(err:find("--wsse-verify-cert and --wsse-verify-ca: give one of them", 1, true), err)
  end)

  it("decrypts answers encrypted to the signing key (python3-xmlsec, AES-128-CBC), then verifies", function()
    local srv = start_zeep_signer(dir, "encrypt")
    local function run(key)
      local json = t.tmpname(".json")
      local code, out, err = t.run(("-R 10 -d 1s -w 1 -c 4 --json %s --url %s --wsse-sign-key %s " ..
        "--wsse-sign-cert %s --wsse-verify-cert %s %s"):format(t.quote(json), srv.url,
        t.quote(dir .. "/" .. key .. ".key"), t.quote(dir .. "/" .. key .. ".pem"),
        t.quote(dir .. "/other.pem"), t.quote(t.root .. "/scripts/examples/default.lua")))
      local res = t.json.decode(t.read(json) or "null")
      os.remove(json)
      return code, out .. err, res
    end
    local code, out, res = run("rsa")
    local code2, out2, res2 = run("other") -- the answers are not encrypted to this key
    srv.stop()
    assert.are.equal(0, code, out)
    assert.are.equal(10, res.summary.ok, out)
    assert.are.equal(1, code2, out2)
    assert.are.equal(res2.summary.sent, res2.summary.results.signature, out2)
    assert.truthy(out2:find("cannot decrypt the EncryptedData (encrypted to another key?)", 1, true), out2)
  end)

  it("refuses a --wsse-verify-cert without a certificate before sending", function()
    local code, out, err = t.run(("-R 20 -d 1s --url http://127.0.0.1:9/x --wsse-verify-cert %s %s")
      :format(t.quote(dir .. "/rsa.key"), t.quote(t.root .. "/scripts/examples/default.lua")))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("--wsse-verify-cert " .. dir .. "/rsa.key: no X.509 certificate in it",
      1, true), err)
  end)
end)

describe("WS-Addressing headers (--wsa)", function()
  local dir
  setup(function() dir = make_keys() end)
  teardown(function() os.execute("rm -rf " .. t.quote(dir)) end)
  local WSA = "http://www.w3.org/2005/08/addressing"

  -- The four headers' texts in a body, in order, and how many of each there are.
  local function wsa_of(body)
    local h = {}
    for _, name in ipairs({ "Action", "MessageID", "To" }) do
      h[name] = body:match("<wsa:" .. name .. ' xmlns:wsa="' .. WSA .. '"[^>]*>([^<]*)</wsa:' .. name .. ">")
    end
    h.ReplyTo = body:match("<wsa:ReplyTo[^>]*><wsa:Address>([^<]*)</wsa:Address></wsa:ReplyTo>")
    return h
  end

  it("adds Action, MessageID urn:soapload:ID, To and ReplyTo anonymous, for SOAP 1.1 and 1.2", function()
    local script = t.script([[
      soapload.url = "http://127.0.0.1:9/soap/endpoint"
      soapload.rate = 10
      function request(id)
        return soapload.envelope(soapload.echo(id)), {headers = {SOAPAction = '"urn:shop#Order"'}}
      end
    ]])
    local code, out, err = t.run("--dry-run 2 --wsa " .. script)
    assert.are.equal(0, code, out .. err)
    local n = 0
    for id, len, at in out:gmatch("ID (%S+)\n.-Content%-Length: (%d+)\n\n()") do
      n = n + 1
      local h = wsa_of(out:sub(at, at + tonumber(len) - 1))
      assert.are.same({ Action = "urn:shop#Order", MessageID = "urn:soapload:" .. id,
        To = "http://127.0.0.1:9/soap/endpoint", ReplyTo = WSA .. "/anonymous" }, h)
    end
    assert.are.equal(2, n, out)
    -- 1.2: the action parameter of the media type; --wsa-action wins over any
    local body = dry_bodies("--wsa", 1)[1]
    assert.are.equal("urn:soapload:echo#Echo", wsa_of(body).Action)
    code, out, err = t.run(("--dry-run 1 --wsa %s"):format(t.quote(t.root .. "/scripts/examples/soap12.lua")))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><wsa:Action xmlns:wsa="' ..
      WSA .. '">urn:soapload:echo#Echo</wsa:Action>', 1, true), out)
    body = dry_bodies("--wsa --wsa-action 'urn:other#Do&It'", 1)[1]
    assert.truthy(body:find(">urn:other#Do&amp;It</wsa:Action>", 1, true), body)
    code, out, err = t.run("--dry-run 1 --wsa-action urn:x " .. script)
    assert.are.equal(2, code)
    assert.truthy(err:find("--wsa-action needs --wsa", 1, true), err)
    os.remove(script)
  end)

  it("signs the WS-Addressing headers with the rest: xmlsec1 and zeep verify, the mock too", function()
    local keys = ("--wsse-sign-key %s --wsse-sign-cert %s"):format(t.quote(dir .. "/rsa.key"),
      t.quote(dir .. "/rsa.pem"))
    local body = dry_bodies("--wsa " .. keys, 1)[1]
    local uris = {}
    for uri in body:gmatch('<ds:Reference URI="#([^"]+)"') do uris[#uris + 1] = uri end
    assert.are.same({ "TS-1", "Body-1", "Action-1", "MessageID-1", "To-1", "ReplyTo-1" }, uris)
    local f = t.write(t.tmpname(".xml"), body)
    local ok = os.execute(("xmlsec1 --verify --pubkey-cert-pem %s --id-attr:Id Body " ..
      "--id-attr:Id Timestamp --id-attr:Id Action --id-attr:Id MessageID --id-attr:Id To " ..
      "--id-attr:Id ReplyTo %s > /dev/null 2>&1"):format(t.quote(dir .. "/rsa.pem"), t.quote(f)))
    os.remove(f)
    assert.is_true(ok == true)
    assert.are.equal("valid", zeep_says(body, dir .. "/rsa.pem"))
    -- a changed MessageID breaks the signature: it is covered
    local changed = body:gsub("urn:soapload:(P%d+%-R)1<", "urn:soapload:%12<")
    assert.are_not.equal(body, changed)
    assert.are.equal("invalid", zeep_says(changed, dir .. "/rsa.pem"))
    local mock = t.start_mock("--wsse-verify-cert " .. t.quote(dir .. "/rsa.pem"))
    local code, out, err = t.run(("-q -R 50 -d 1s -w 1 -c 2 --wsa --url %s %s %s"):format(mock.url,
      keys, t.quote(t.root .. "/scripts/examples/default.lua")))
    local s = mock.stats()
    mock.stop()
    assert.are.equal(0, code, out .. err)
    assert.are.same({ valid = 50, invalid = 0, missing = 0, expired = 0 }, s.signatures)
    assert.are.equal(50, s.requests.echo)
  end)
end)

describe("MTOM attachments (soapload.attach)", function()
  local dir
  setup(function() dir = make_keys() end)
  teardown(function() os.execute("rm -rf " .. t.quote(dir)) end)

  -- A scenario attaching the bytes 0..255 and "hello" to each request, at 20 req/s for 1 s.
  local function mtom_script(url, extra)
    return t.script(([[
      soapload.url = %q
      soapload.rate = 20
      soapload.duration = "1s"
      local blob = {}
      for i = 0, 255 do blob[#blob + 1] = string.char(i) end
      blob = table.concat(blob)
      function request(id)
        local data = soapload.attach(blob, "application/octet-stream")
        local note = soapload.attach("hello", "text/plain")
        %s
        return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
          soapload.escape(id) .. '</e:RequestId><e:Data>' .. data .. '</e:Data><e:Note>' ..
          note .. '</e:Note></e:Echo>')
      end
    ]]):format(url, extra or ""))
  end

  -- Starts tests/spec/fixtures/zeep_mtom.py (with a certificate to verify, or none).
  local function start_zeep_mtom(cert)
    local port, log = t.free_port(), t.tmpname(".mtom")
    local p = io.popen(("/usr/bin/python3 %s %d %s > %s 2>&1 & echo $!"):format(
      t.quote(t.root .. "/tests/spec/fixtures/zeep_mtom.py"), port, cert and t.quote(cert) or "",
      t.quote(log)))
    local pid = tonumber(p:read("l"))
    p:close()
    local deadline = t.now() + 20
    while not (t.read(log) or ""):find("ready", 1, true) and t.now() < deadline do
      assert(t.alive(pid), "zeep_mtom.py exited: " .. (t.read(log) or ""))
      t.sleep(0.05)
    end
    return {
      port = port,
      url = ("http://127.0.0.1:%d/soap/endpoint"):format(port),
      count = function() return tonumber(select(3, t.http(port, "GET", "/count"))) end,
      stop = function()
        os.execute("kill " .. pid .. " 2>/dev/null")
        os.remove(log)
      end,
    }
  end

  it("sends multipart/related requests that python3-zeep's MTOM code reads, signed or not", function()
    for _, signed in ipairs({ false, true }) do
      local srv = start_zeep_mtom(signed and (dir .. "/rsa.pem") or nil)
      local script = mtom_script(srv.url)
      local keys = signed and ("--wsse-sign-key %s --wsse-sign-cert %s"):format(
        t.quote(dir .. "/rsa.key"), t.quote(dir .. "/rsa.pem")) or ""
      local code, out, err = t.run(("-q -w 1 -c 2 %s %s"):format(keys, script))
      local count = srv.count()
      srv.stop()
      os.remove(script)
      assert.are.equal(0, code, out .. err)
      assert.are.equal(20, count, out)
    end
  end)

  it("is answered by the mock, which echoes the root part's ID and counts every byte", function()
    local mock = t.start_mock("--wsse-verify-cert " .. t.quote(dir .. "/rsa.pem"))
    local script = mtom_script(mock.url)
    local json = t.tmpname(".json")
    local code, out, err = t.run(("-q -w 1 -c 2 --wsa --json %s --wsse-sign-key %s --wsse-sign-cert %s %s")
      :format(t.quote(json), t.quote(dir .. "/rsa.key"), t.quote(dir .. "/rsa.pem"), script))
    local s = mock.stats()
    mock.stop()
    os.remove(script)
    local res = t.json.decode(t.read(json))
    os.remove(json)
    assert.are.equal(0, code, out .. err)
    assert.are.equal(20, s.requests.echo)
    assert.are.equal(20, s.ids.distinct)
    assert.are.same({ valid = 20, invalid = 0, missing = 0, expired = 0 }, s.signatures)
    assert.are.equal(s.request_bytes, res.summary.bytes_sent)
  end)

  it("shows the multipart body in a dry run and refuses an attachment it cannot send", function()
    local script = mtom_script("http://127.0.0.1:9/soap/endpoint")
    local code, out, err = t.run("--dry-run 1 " .. script)
    os.remove(script)
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find('Content-Type: multipart/related; type="application/xop+xml"; ' ..
      'start="<root@soapload>"; start-info="text/xml"; boundary="', 1, true), out)
    assert.truthy(out:find('<e:Data><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" ' ..
      'href="cid:1@soapload"/></e:Data>', 1, true), out)
    local blob = {}
    for i = 0, 255 do blob[#blob + 1] = string.char(i) end
    assert.truthy(out:find("Content-ID: <1@soapload>\r\n\r\n" .. table.concat(blob) .. "\r\n--", 1, true))
    for _, c in ipairs({
      { "for i = 1, 64 do soapload.attach('x') end", "at most 64 attachments per request" },
      { "soapload.attach('--MIME_boundary_soapload_7d9c1e4a')", "hold soapload's MIME boundary" },
      { "soapload.attach('x', 'a\\nb')", "a media type of at most 128 bytes" },
    }) do
      script = mtom_script("http://127.0.0.1:9/soap/endpoint", c[1])
      code, out, err = t.run("--dry-run 1 " .. script)
      os.remove(script)
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find(c[2], 1, true), err)
    end
  end)
end)

describe("Encrypted requests (--wsse-encrypt-cert)", function()
  local dir
  setup(function()
    dir = make_keys()
    assert(os.execute(("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout srv.key " ..
      "-out srv.pem -days 1 -subj /CN=server > /dev/null 2>&1"):format(t.quote(dir))))
  end)
  teardown(function() os.execute("rm -rf " .. t.quote(dir)) end)
  local function k(name) return t.quote(dir .. "/" .. name) end

  -- decrypts the WS-Security way: the EncryptedKey in the wsse:Security header opens the
  -- session key, its ReferenceList names the EncryptedData; then zeep verifies the signature
  local PYDEC = [[
import sys, xmlsec
from lxml import etree
from zeep.wsse.signature import verify_envelope, SignatureVerificationFailed
WSSE = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}"
XENC = "{http://www.w3.org/2001/04/xmlenc#}"
doc = etree.fromstring(open(sys.argv[1], "rb").read())
keys = xmlsec.KeysManager()
keys.add_key(xmlsec.Key.from_file(sys.argv[2], xmlsec.KeyFormat.PEM))
ek = doc.find("./*/%sSecurity/%sEncryptedKey" % (WSSE, XENC))
session = xmlsec.EncryptionContext(keys).decrypt(ek)
n = 0
for ref in ek.findall("%sReferenceList/%sDataReference" % (XENC, XENC)):
    ed = doc.xpath("//*[@Id=$id]", id=ref.get("URI")[1:])[0]
    ctx = xmlsec.EncryptionContext()
    ctx.key = xmlsec.Key.from_binary_data(xmlsec.constants.KeyDataAes, session)
    ctx.decrypt(ed)
    n += 1
ek.getparent().remove(ek)
rid = doc.find(".//{urn:soapload:echo}RequestId")
try:
    verify_envelope(doc, sys.argv[3])
    print("decrypted", n, len(session), rid.text, "valid")
except SignatureVerificationFailed:
    print("decrypted", n, len(session), rid.text, "invalid")
]]

  for _, c in ipairs({ { "", "aes256-gcm", "http://www.w3.org/2009/xmlenc11#aes256-gcm", 32 },
                      { "--wsse-encrypt-alg aes128-cbc", "aes128-cbc",
                        "http://www.w3.org/2001/04/xmlenc#aes128-cbc", 16 } }) do
    it("encrypts the Body after signing (" .. c[2] .. "): the EncryptedKey in the header, " ..
       "python-xmlsec decrypts it, zeep verifies", function()
      local body = dry_bodies(("--wsse-encrypt-cert %s --wsse-sign-key %s --wsse-sign-cert %s %s")
        :format(k("srv.pem"), k("rsa.key"), k("rsa.pem"), c[1]), 1)[1]
      -- the EncryptedKey first in the Security header (processed first), before the Signature
      assert.truthy(body:match('<wsse:Security [^>]*><xenc:EncryptedKey xmlns:xenc="http://www.w3.org/' ..
        '2001/04/xmlenc#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="EK%-1"><xenc:EncryptionMethod ' ..
        'Algorithm="http://www.w3.org/2001/04/xmlenc#rsa%-oaep%-mgf1p">'), body)
      assert.truthy(body:find('<ds:KeyInfo><wsse:SecurityTokenReference><ds:X509Data><ds:X509IssuerSerial>' ..
        '<ds:X509IssuerName>CN=server</ds:X509IssuerName>', 1, true), body)
      assert.truthy(body:find('<xenc:ReferenceList><xenc:DataReference URI="#ED-1"/></xenc:ReferenceList>' ..
        '</xenc:EncryptedKey>', 1, true), body)
      assert.truthy(body:find("</xenc:EncryptedKey>.*<ds:Signature"), body)
      assert.truthy(body:match('<soap:Body [^>]*><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#" ' ..
        'Id="ED%-1" Type="http://www.w3.org/2001/04/xmlenc#Content">\n?<EncryptionMethod Algorithm="' ..
        c[3]:gsub("%-", "%%-") .. '"/>\n?<CipherData>'), body)
      assert.falsy(body:find("RequestId", 1, true), body)
      local py, f = t.write(t.tmpname(".py"), PYDEC), t.write(t.tmpname(".xml"), body)
      local function dec(key)
        local p = io.popen(("/usr/bin/python3 %s %s %s %s 2>&1"):format(t.quote(py), t.quote(f),
          k(key), k("rsa.pem")))
        local out = p:read("a")
        p:close()
        return out
      end
      local out, other = dec("srv.key"), dec("other.key")
      os.remove(py)
      os.remove(f)
      assert.truthy(out:match("^decrypted 1 " .. c[4] .. " P%d+%-R1 valid"), out)
      assert.truthy(other:find("xmlsec.Error", 1, true), other) -- another key opens nothing
    end)
  end

  it("--wsse-encrypt-alg: a cipher it does not know, or no certificate to encrypt to, is a usage error", function()
    for _, c in ipairs({ { "--wsse-encrypt-alg aes192-cbc --wsse-encrypt-cert " .. k("srv.pem"),
                           "bad value 'aes192-cbc' for --wsse-encrypt-alg: it wants aes256-gcm or aes128-cbc" },
                         { "--wsse-encrypt-alg aes128-cbc",
                           "--wsse-encrypt-alg needs --wsse-encrypt-cert" } }) do
      local code, _, err = t.run(("--dry-run 1 %s %s"):format(c[1],
        t.quote(t.root .. "/scripts/examples/default.lua")))
      assert.are.equal(2, code, err)
      assert.truthy(err:find(c[2], 1, true), err)
    end
  end)

  it("is decrypted and verified by the mock (--wsse-decrypt-key); to another key, refused", function()
    local mock = t.start_mock(("--wsse-decrypt-key %s --wsse-verify-cert %s"):format(k("srv.key"),
      k("rsa.pem")))
    local function run(cert)
      return t.run(("-q -R 50 -d 1s -w 1 -c 2 --url %s --wsse-encrypt-cert %s --wsse-sign-key %s " ..
        "--wsse-sign-cert %s %s"):format(mock.url, k(cert), k("rsa.key"), k("rsa.pem"),
        t.quote(t.root .. "/scripts/examples/default.lua")))
    end
    local code, out, err = run("srv.pem")
    local s = mock.stats()
    assert.are.equal(0, code, out .. err)
    assert.are.equal(50, s.requests.echo)
    assert.are.same({ valid = 50, invalid = 0, missing = 0, expired = 0 }, s.signatures)
    code, out = run("other.pem")
    s = mock.stats()
    mock.stop()
    assert.are.equal(1, code, out)
    local sent = tonumber((out:match("\n  sent +(%d+) = ok 0 %+ failed %d+")))
    assert.truthy(sent and sent > 0, out)
    assert.are.equal(sent, s.requests.fault_security) -- each one the mock received, refused
    assert.truthy(out:find("soap_fault%s+" .. sent .. "  wsse:FailedCheck: cannot decrypt the " ..
      "EncryptedKey %(encrypted to another key%?%)"), out)
    code, out, err = t.run(("--dry-run 1 --wsse-encrypt-cert %s %s"):format(k("ec.pem"),
      t.quote(t.root .. "/scripts/examples/default.lua")))
    assert.are.equal(2, code)
    assert.truthy(err:find("the key transport (RSA-OAEP) needs an RSA key", 1, true), err)
  end)
end)

describe("soapload-mock --wsse-sign-cert/--wsse-sign-key: signed answers", function()
  local dir
  -- the mock's exit code and all it printed; bounded, should it start after all
  local function run_mock(args)
    local p = io.popen(("timeout 10 %s %s 2>&1; echo \"exit=$?\""):format(t.quote(t.mock_bin), args))
    local out = p:read("a")
    p:close()
    return tonumber(out:match("exit=(%d+)\n$")), out
  end
  local function k(name) return t.quote(dir .. "/" .. name) end
  local function mock_signing(key, cert, more)
    return t.start_mock(("--wsse-sign-cert %s --wsse-sign-key %s %s"):format(k(cert), k(key),
      more or ""))
  end
  setup(function() dir = make_keys() end)
  teardown(function() os.execute("rm -rf " .. t.quote(dir)) end)

  it("signs answers that xmlsec1 and zeep verify with its certificate (RSA, EC), Faults too", function()
    for _, c in ipairs({ { "rsa.key", "rsa.pem", "rsa%-sha256" }, { "ec.key", "ec.pem", "ecdsa%-sha256" } }) do
      local mock = mock_signing(c[1], c[2])
      local status, _, answer = post(mock, t.envelope(t.SOAP11, "A-1"))
      local fstatus, _, fault = post(mock, t.envelope(t.SOAP11, "A-2"):gsub("RequestId", "NoId"))
      local tstatus, _, text = t.http(mock.port, "POST", "/soap/endpoint",
        { ["Content-Type"] = "text/plain" }, "x")
      local printed = mock.stop()
      assert.are.equal(415, tstatus, text)
      assert.is_nil(text:find("Security", 1, true), text)
      assert.is_nil(printed:find("parser error", 1, true), printed)
      assert.are.equal(200, status, answer)
      assert.truthy(answer:find("A-1", 1, true), answer)
      assert.truthy(answer:find('SignatureMethod Algorithm="[^"]*' .. c[3] .. '"'), answer)
      assert.truthy(answer:find("<wsse:BinarySecurityToken ", 1, true), answer)
      assert.truthy(answer:find("<wsu:Timestamp ", 1, true), answer)
      assert.is_true(xmlsec1_verifies(answer, dir .. "/" .. c[2]), answer)
      assert.are.equal("valid", zeep_says(answer, dir .. "/" .. c[2]))
      assert.is_false(xmlsec1_verifies(answer, dir .. "/other.pem"))
      assert.are.equal("invalid", zeep_says(answer, dir .. "/other.pem"))
      local tampered = answer:gsub("A%-1<", "A-7<")
      assert.are_not.equal(answer, tampered)
      assert.is_false(xmlsec1_verifies(tampered, dir .. "/" .. c[2]))
      assert.are.equal(500, fstatus, fault)
      assert.truthy(fault:find("<soap:Fault>", 1, true), fault)
      assert.is_true(xmlsec1_verifies(fault, dir .. "/" .. c[2]), fault)
    end
  end)

  it("is verified by soapload --wsse-verify-cert on every answer of the default example, " ..
     "signed both ways: counts equal the mock's", function()
    local mock = mock_signing("rsa.key", "rsa.pem", "--wsse-verify-cert " .. k("ec.pem"))
    local json = t.tmpname(".json")
    -- 50 req/s: each request is signed and verified twice, and under ASan an RSA signature
    -- takes milliseconds of CPU (80 connections: answers may take a second on a busy machine)
    local code, out, err = t.run(("-R 50 -d 2s -c 80 --json %s --url %s --wsse-sign-key %s " ..
      "--wsse-sign-cert %s --wsse-verify-cert %s %s"):format(t.quote(json), mock.url, k("ec.key"),
      k("ec.pem"), k("rsa.pem"), t.quote(t.root .. "/scripts/examples/default.lua")))
    local s = mock.stats()
    local res = t.json.decode(t.read(json) or "null")
    os.remove(json)
    assert.are.equal(0, code, out .. err)
    assert.are.same({ valid = 100, invalid = 0, missing = 0, expired = 0 }, s.signatures)
    assert.are.equal(100, s.requests.echo)
    assert.are.equal(100, s.ids.distinct)
    assert.are.equal(100, res.summary.sent)
    assert.are.equal(100, res.summary.ok)
    assert.are.equal(0, res.summary.results.signature)
    -- the same answers with another certificate: each one fails as signature, none passes
    mock.reset()
    code, out, err = t.run(("-R 50 -d 1s -w 1 -c 4 --json %s --url %s --wsse-sign-key %s " ..
      "--wsse-sign-cert %s --wsse-verify-cert %s %s"):format(t.quote(json), mock.url, k("ec.key"),
      k("ec.pem"), k("other.pem"), t.quote(t.root .. "/scripts/examples/default.lua")))
    mock.stop()
    res = t.json.decode(t.read(json) or "null")
    os.remove(json)
    assert.are.equal(1, code, out .. err)
    assert.are.equal(50, res.summary.sent, out)
    assert.are.equal(0, res.summary.ok, out)
    assert.are.equal(50, res.summary.results.signature, out)
    assert.truthy(out:find("signature%s+50  the signature does not verify"), out)
  end)

  it("--wsse-sign-ref names the key by issuer and serial or by SKI, --wsse-sign-ttl sets the " ..
     "Timestamp's life: xmlsec1, zeep and soapload --wsse-verify-cert verify", function()
    -- seconds since the epoch of an xsd:dateTime in UTC ("2026-12-08T01:02:03Z", maybe .123)
    local function epoch(text)
      local y, mo, d, h, mi, sec = assert(text):match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
      return os.time({ year = y, month = mo, day = d, hour = h, min = mi, sec = sec })
    end
    for _, c in ipairs({ { "issuer-serial", "<ds:X509IssuerName>CN=signer</ds:X509IssuerName>" },
                         { "ski", "#X509SubjectKeyIdentifier" } }) do
      local mock = mock_signing("rsa.key", "rsa.pem", "--wsse-sign-ttl 7 --wsse-sign-ref " .. c[1])
      local status, _, answer = post(mock, t.envelope(t.SOAP11, "A-1"))
      local json = t.tmpname(".json")
      local code, out, err = t.run(("-R 20 -d 1s -w 1 -c 2 --json %s --url %s " ..
        "--wsse-verify-cert %s %s"):format(t.quote(json), mock.url, k("rsa.pem"),
        t.quote(t.root .. "/scripts/examples/default.lua")))
      local s = mock.stats()
      mock.stop()
      local res = t.json.decode(t.read(json) or "null")
      os.remove(json)
      assert.are.equal(200, status, answer)
      assert.falsy(answer:find("BinarySecurityToken", 1, true), answer)
      assert.truthy(answer:find(c[2], 1, true), answer)
      local created = answer:match("<wsu:Created>([^<]+)</wsu:Created>")
      local expires = answer:match("<wsu:Expires>([^<]+)</wsu:Expires>")
      assert.are.equal(7, epoch(expires) - epoch(created), answer)
      assert.is_true(xmlsec1_verifies(answer, dir .. "/rsa.pem"), answer)
      assert.are.equal("valid", zeep_says(answer, dir .. "/rsa.pem"), c[1])
      assert.is_false(xmlsec1_verifies(answer, dir .. "/other.pem"))
      assert.are.equal(0, code, out .. err)
      assert.are.equal(21, s.requests.echo) -- the one posted above, then the run's 20
      assert.are.equal(20, res.summary.ok, out)
      assert.are.equal(0, res.summary.results.signature, out)
    end
  end)

  it("refuses a bad --wsse-sign-ttl or --wsse-sign-ref, and either without the key", function()
    local keys = ("--wsse-sign-cert %s --wsse-sign-key %s "):format(k("rsa.pem"), k("rsa.key"))
    for _, c in ipairs({
      { keys .. "--wsse-sign-ttl 0", "bad --wsse-sign-ttl '0': seconds from 1 to 86400" },
      { keys .. "--wsse-sign-ttl 5x", "bad --wsse-sign-ttl '5x'" },
      { keys .. "--wsse-sign-ref thumbprint",
        "bad --wsse-sign-ref 'thumbprint': it is bst, issuer-serial or ski" },
      { "--wsse-sign-ttl 5", "--wsse-sign-ttl and --wsse-sign-ref need --wsse-sign-key" },
      { "--wsse-sign-ref ski", "--wsse-sign-ttl and --wsse-sign-ref need --wsse-sign-key" },
    }) do
      local code, out = run_mock("--port 0 " .. c[1])
      assert.are.equal(2, code, c[1] .. ": " .. out)
      assert.truthy(out:find(c[2], 1, true), out)
    end
  end)

  it("refuses a certificate without its key, and a key of another certificate", function()
    local code, out = run_mock(("--wsse-sign-cert %s"):format(k("rsa.pem")))
    assert.are.equal(2, code, out)
    assert.truthy(out:find("--wsse-sign-cert and --wsse-sign-key go together", 1, true), out)
    code, out = run_mock(("--port 0 --wsse-sign-cert %s --wsse-sign-key %s"):format(k("rsa.pem"),
      k("other.key")))
    assert.are.equal(1, code, out)
    assert.truthy(out:find("does not match the certificate", 1, true), out)
  end)
end)

describe("Further signed header parts (--wsse-sign-part, soapload.wsse_sign_parts)", function()
  local dir
  local function k(name) return t.quote(dir .. "/" .. name) end
  setup(function() dir = make_keys() end)
  teardown(function() os.execute("rm -rf " .. t.quote(dir)) end)

  -- A script whose requests carry three header blocks of their own: Trace, Tenant (with a
  -- wsu:Id of its own) and Other; `parts` is its wsse_sign_parts.
  local function parts_script(parts)
    return t.script(([[
      soapload.url = "http://127.0.0.1:9/soap/endpoint"
      soapload.rate = 50
      soapload.duration = "1s"
      soapload.wsse_sign_parts = %s
      function request(id)
        return soapload.envelope(soapload.echo(id), nil, {
          '<t:Trace xmlns:t="urn:trace">trace-' .. id .. '</t:Trace>',
          '<x:Tenant xmlns:x="urn:x" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/' ..
            'oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="tenant-7">acme</x:Tenant>',
          '<x:Other xmlns:x="urn:x">not signed</x:Other>'})
      end
    ]]):format(parts))
  end
  local function dry(script, more)
    local code, out, err = t.run(("--dry-run 1 --wsse-sign-key %s --wsse-sign-cert %s %s %s")
      :format(k("rsa.key"), k("rsa.pem"), more or "", script))
    local len, at = out:match("Content%-Length: (%d+)\n\n()")
    return code, len and out:sub(at, at + tonumber(len) - 1), out .. err
  end
  local function xmlsec1_parts(body)
    local f = t.write(t.tmpname(".xml"), body)
    local ok = os.execute(("xmlsec1 --verify --pubkey-cert-pem %s --id-attr:Id Body " ..
      "--id-attr:Id Timestamp --id-attr:Id Trace --id-attr:Id Tenant %s > /dev/null 2>&1")
      :format(k("rsa.pem"), t.quote(f)))
    os.remove(f)
    return ok == true
  end

  it("references the header elements the script names, by {ns}Local, Local or #Id: xmlsec1, " ..
     "zeep and the mock verify; a change to a signed part fails at the mock, to another not", function()
    local script = parts_script('{"{urn:trace}Trace", "#tenant-7"}')
    local code, body, out = dry(script)
    assert.are.equal(0, code, out)
    local uris = {}
    for uri in body:gmatch('<ds:Reference URI="#([^"]+)"') do uris[#uris + 1] = uri end
    assert.are.same({ "TS-1", "Body-1", "Trace-1", "tenant-7" }, uris)
    assert.is_true(xmlsec1_parts(body), body)
    assert.are.equal("valid", zeep_says(body, dir .. "/rsa.pem"))
    local trace_changed = body:gsub(">trace%-", ">trace+", 1)
    local other_changed = body:gsub(">not signed<", ">not signed!<", 1)
    local tenant_changed = body:gsub(">acme<", ">acne<", 1)
    assert.are_not.equal(body, trace_changed)
    assert.is_false(xmlsec1_parts(trace_changed))
    assert.is_false(xmlsec1_parts(tenant_changed))
    local mock = t.start_mock("--wsse-verify-cert " .. k("rsa.pem"))
    local statuses = {}
    for _, b in ipairs({ body, trace_changed, tenant_changed, other_changed }) do
      statuses[#statuses + 1] = post(mock, b)
    end
    local s = mock.stats()
    mock.stop()
    assert.are.same({ 200, 500, 500, 200 }, statuses)
    assert.are.same({ valid = 2, invalid = 2, missing = 0, expired = 0 }, s.signatures)
    -- the same by the flag and by local name alone, with the WS-Addressing headers too
    os.remove(script)
    script = parts_script("nil")
    code, body, out = dry(script, "--wsa --wsse-sign-part Trace --wsse-sign-part '{urn:x}Tenant'")
    os.remove(script)
    assert.are.equal(0, code, out)
    uris = {}
    for uri in body:gmatch('<ds:Reference URI="#([^"]+)"') do uris[#uris + 1] = uri end
    assert.are.same({ "TS-1", "Body-1", "Action-1", "MessageID-1", "To-1", "ReplyTo-1",
      "Trace-1", "tenant-7" }, uris)
    assert.are.equal("valid", zeep_says(body, dir .. "/rsa.pem"))
  end)

  it("signs every request of a run with the parts: the mock counts each valid", function()
    local mock = t.start_mock("--wsse-verify-cert " .. k("rsa.pem"))
    local script = parts_script('{"{urn:trace}Trace", "Tenant"}')
    local code, out, err = t.run(("-q -R 50 -d 1s -w 1 -c 2 --url %s --wsse-sign-key %s " ..
      "--wsse-sign-cert %s %s"):format(mock.url, k("rsa.key"), k("rsa.pem"), script))
    os.remove(script)
    local s = mock.stats()
    mock.stop()
    assert.are.equal(0, code, out .. err)
    assert.are.same({ valid = 50, invalid = 0, missing = 0, expired = 0 }, s.signatures)
  end)

  it("refuses a part it cannot name, a part without a key, and fails a request that lacks one", function()
    local script = parts_script("nil")
    local code, _, out = dry(script, "--wsse-sign-part '{urn:x'")
    assert.are.equal(2, code, out)
    assert.truthy(out:find("{namespace}LocalName, LocalName or #Id", 1, true), out)
    local err
    code, out, err = t.run("--dry-run 1 --wsse-sign-part Trace " .. script)
    out = out .. err
    assert.are.equal(2, code, out)
    assert.truthy(out:find("--wsse-sign-part (wsse_sign_parts) needs --wsse-sign-key", 1, true), out)
    local body
    code, body, out = dry(script, "--wsse-sign-part '{urn:other}Trace'")
    os.remove(script)
    assert.are_not.equal(0, code, out)
    assert.is_nil(body, out)
    assert.truthy(out:find("wsse_sign_parts: the request has no header {urn:other}Trace to sign",
      1, true), out)
  end)
end)
