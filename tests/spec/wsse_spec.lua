-- WS-Security built-ins: the UsernameToken digest against vectors computed independently by
-- the openssl command line, the token's structure, and envelopes with header blocks accepted
-- by the mock.
local t = require("support")

local function openssl_base64_decode(s)
  local f = t.write(t.tmpname(".b64"), s .. "\n")
  local p = io.popen("openssl base64 -d -A -in " .. t.quote(f))
  local out = p:read("a")
  p:close()
  os.remove(f)
  return out
end

describe("WS-Security", function()
  local mock = t.shared_mock()

  -- Runs a script whose done() prints lines; returns the output.
  local function run_done(body, extra)
    local script = t.script(("soapload.url = %q\nsoapload.rate = 10\nsoapload.duration = '100ms'\n%s\n" ..
      "function done()\n%s\nend\n"):format(mock.url, extra or "", body))
    local code, out, err = t.run("-q -w 1 -c 1 " .. script)
    os.remove(script)
    assert.are.equal(0, code, out .. err)
    return out
  end

  it("computes PasswordDigest as openssl does", function()
    local vectors = {
      { "0123456789abcdef", "2026-11-27T12:00:00.000Z", "s3cret" },
      { "\0\1\2\255\254 nonce", "2003-07-16T01:24:32Z", "IloveDogs" },
      { "n", "2026-01-01T00:00:00Z", "pässwörd&<>" },
    }
    for _, v in ipairs(vectors) do
      local out = run_done(("io.write('D=', soapload.wsse.digest(%q, %q, %q), '\\n')")
        :format(v[1], v[2], v[3]))
      assert.are.equal(t.openssl_password_digest(v[1], v[2], v[3]), out:match("D=(%S+)"), v[3])
    end
  end)

  it("builds a UsernameToken whose fresh nonce and digest check out", function()
    local out = run_done([[
      local tok = soapload.wsse.username_token{user = "alice", password = "s3cret"}
      local W = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
      local U = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
      io.write("USER=", soapload.xml.find(tok, W, "Username"), "\n")
      io.write("PW=", soapload.xml.find(tok, W, "Password"), "\n")
      io.write("TYPE=", soapload.xml.attr(tok, W, "Password", "Type"), "\n")
      io.write("NONCE=", soapload.xml.find(tok, W, "Nonce"), "\n")
      io.write("CREATED=", soapload.xml.find(tok, U, "Created"), "\n")
      local text = soapload.wsse.username_token{user = "bob", password = "a<b", digest = false}
      io.write("TEXT=", soapload.xml.find(text, W, "Password"), " ",
               soapload.xml.attr(text, W, "Password", "Type"), "\n")
      local ts = soapload.wsse.timestamp(300, 1700000000)
      io.write("TS=", soapload.xml.find(ts, U, "Created"), " ", soapload.xml.find(ts, U, "Expires"), "\n")
    ]])
    assert.are.equal("alice", out:match("USER=(%S+)"))
    assert.truthy(out:match("TYPE=%S+#PasswordDigest"), out)
    local nonce = openssl_base64_decode(out:match("NONCE=(%S+)"))
    assert.are.equal(16, #nonce)
    local created = out:match("CREATED=(%S+)")
    assert.truthy(created:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%dZ$"), created)
    assert.are.equal(t.openssl_password_digest(nonce, created, "s3cret"), out:match("PW=(%S+)"))
    assert.truthy(out:find("TEXT=a<b %S+#PasswordText"), out)
    assert.truthy(out:find("TS=2023-11-14T22:13:20.000Z 2023-11-14T22:18:20.000Z", 1, true), out)
  end)

  it("sends envelopes with a wsse:Security header that the mock accepts", function()
    mock.reset()
    local script = t.script(([[
      soapload.url = %q
      soapload.rate = 50
      soapload.duration = "1s"
      function request(id)
        local sec = soapload.wsse.security(
          soapload.wsse.timestamp(60),
          soapload.wsse.username_token{user = "alice", password = "s3cret"})
        return soapload.envelope(soapload.echo(id), nil, {sec})
      end
    ]]):format(mock.url))
    local code, out = t.run("-q -w 1 -c 2 " .. script)
    os.remove(script)
    assert.are.equal(0, code, out)
    assert.are.equal(50, mock.stats().requests.echo)
  end)
end)
