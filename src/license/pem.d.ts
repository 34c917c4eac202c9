// `import key from "./x.pem" with { type: "text" }`: the file's text.
declare module "*.pem" {
  const text: string;
  export default text;
}
