-- image: the container image of scripts/kubernetes/Containerfile, built for real with podman
-- by scripts/kubernetes/build-image.sh, whose own checks (version, help, uid 10001, entrypoint,
-- a run of the image's soapload against the image's mock, the Kubernetes manifests' pod and
-- merge commands run in the image) must all pass; then the image's binaries next to the
-- natively built ones: the image's soapload loads the native mock and the native soapload
-- loads the image's mock, the counts checked against the mock's /stats.
-- OPT-IN: building takes minutes and downloads hundreds of MB (Debian packages), so this spec
-- only runs with SOAPLOAD_IMAGE_TEST=1 (and needs root or rootless podman: scripts/bootstrap.sh
-- image installs podman, buildah and debootstrap).
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

if os.getenv("SOAPLOAD_IMAGE_TEST") ~= "1" then
  describe("the container image (scripts/kubernetes/build-image.sh)", function()
    pending("skipped: set SOAPLOAD_IMAGE_TEST=1 to build and run the image with podman " ..
      "(minutes; downloads Debian packages)")
  end)
  return
end

local TAG = "localhost/soapload:spec"
local PODMAN = t.quote(t.root .. "/scripts/kubernetes/podman.sh")

describe("the container image (scripts/kubernetes/build-image.sh)", function()
  local built

  it("builds, and all of build-image.sh's checks pass", function()
    local code, out = t.sh(("%s/scripts/kubernetes/build-image.sh %s"):format(t.root, TAG))
    assert.are.equal(0, code, out)
    built = true
    assert.matches("image: " .. TAG:gsub("%p", "%%%0") .. ", %d+ MB", out)
    for _, check in ipairs({
      "check: %-%-version ok",
      "check: %-%-help %(%d+ lines%) ok",
      "check: non%-root user uid 10001 ok",
      "check: entrypoint soapload ok",
      "check: a 1 s run of the image's examples/default.lua at 200 req/s: scheduled 200 = " ..
        "sent 200 = ok 200 = the mock's 200 echoes, 200 distinct IDs ok",
      "soapload%-mock's /stats: requests 200 = echoes 200 %+ refused clock probes 0; distinct IDs 200",
      "check: render.sh manifests name the image ok",
      "check: render.sh manifests parse %(python3%-yaml%) ok",
      "check: the manifests' Job %(2 segments%) and merge commands run in the image: " ..
        "scheduled 200 = sent 200 = ok 200 = the mock's 200 echoes, 200 distinct IDs " ..
        "%(and 10 clock probes%) ok",
      "soapload%-mock's /stats: requests 210 = echoes 200 %+ refused clock probes 10; distinct IDs 200",
      "all checks passed: " .. TAG:gsub("%p", "%%%0"),
    }) do
      assert.matches(check, out)
    end
  end)

  it("runs as uid 10001 with soapload as the entrypoint", function()
    assert.is_true(built, "the image was not built")
    local code, out = t.sh(("%s image inspect --format '{{json .Config.Entrypoint}} {{.Config.User}}' %s")
      :format(PODMAN, TAG))
    assert.are.equal(0, code, out)
    assert.are.equal('["soapload"] 10001:10001\n', out)
    code, out = t.sh(("%s run --rm --read-only --entrypoint id %s -u"):format(PODMAN, TAG))
    assert.are.equal(0, code, out)
    assert.are.equal("10001\n", out)
  end)

  it("the image's soapload loads the native mock: its counts are the mock's", function()
    assert.is_true(built, "the image was not built")
    local mock = t.start_mock("--host 127.0.0.1")
    finally(function() mock.stop() end)
    local code, out = t.sh(("%s run --rm --network host --read-only %s --url %s -R 100 -d 1s " ..
      "--progress never /usr/local/share/soapload/examples/default.lua"):format(PODMAN, TAG, mock.url))
    assert.are.equal(0, code, out)
    assert.matches("\n  scheduled +100 = sent 100 %+ not sent 0 %+ failed before send 0 %+ " ..
      "script errors before send 0\n", out)
    assert.matches("\n  sent +100 = ok 100 %+ failed 0 %+ cancelled 0\n", out)
    local stats = mock.stats()
    assert.are.equal(100, stats.requests.total)
    assert.are.equal(100, stats.ids.distinct)
  end)

  it("the native soapload loads the image's mock: its counts are the mock's", function()
    assert.is_true(built, "the image was not built")
    local code, id = t.sh(("%s run -d --network host --read-only --entrypoint soapload-mock %s " ..
      "--host 127.0.0.1 --port 0"):format(PODMAN, TAG))
    assert.are.equal(0, code, id)
    id = id:match("%x+")
    finally(function() t.sh(("%s rm -f -t 0 %s"):format(PODMAN, id)) end)
    local port
    for _ = 1, 100 do
      local _, log = t.sh(("%s logs %s"):format(PODMAN, id))
      port = log:match("listening on http://127%.0%.0%.1:(%d+)")
      if port then break end
      t.sleep(0.1)
    end
    assert.is_not_nil(port, "the image's soapload-mock did not start")
    local out
    code, out = t.run(("--url http://127.0.0.1:%s/soap/endpoint -R 100 -d 1s --progress never " ..
      "%s/scripts/examples/default.lua"):format(port, t.root))
    assert.are.equal(0, code, out)
    assert.are.equal(100, t.count(out, "\n  sent +(%d+) = ok 100 "))
    local _, _, body = t.http(tonumber(port), "GET", "/stats")
    local stats = t.json.decode(body)
    assert.are.equal(100, stats.requests.total)
    assert.are.equal(100, stats.ids.distinct)
  end)

  it("build-image.sh refuses a bad tag (exit 2)", function()
    local code, out = t.sh(("%s/scripts/kubernetes/build-image.sh -x"):format(t.root))
    assert.are.equal(2, code)
    assert.matches("bad image tag '%-x'", out)
  end)
end)
