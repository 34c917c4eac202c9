// The browser tab's icon (a phone on a green tile, 32×32 PNG in an ICO), inside the executable: 196 bytes
// are not worth a file to embed. Browsers ask for /favicon.ico on every page; without it the log fills with 404s.
export const FAVICON_PATH = "/favicon.ico";

const ICO = Buffer.from(
  "AAABAAEAICAAAAEAIACuAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAHVJREFUeNpjYMABxBpC/lMTMxADqG0pSY6hl+VYHUFvyzEcQUghuYCqDiDVd0Q7gFqGkauHJAec+HCHKDzqgFEHjDpg1AGjDhh1wKgDaOaAAW8PDKgDaNEmpDgE8FlEtAMoaZRS6oCh0ywflr2jwdc5HajuOQCqYumla8iGcwAAAABJRU5ErkJggg==",
  "base64",
);

export function favicon(): Response {
  return new Response(ICO, {
    headers: { "content-type": "image/x-icon", "cache-control": "public, max-age=86400" },
  });
}
