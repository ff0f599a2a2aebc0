// esbuild bundles .css files as text (loader `text` in esbuild.mjs); panels add them with addStyles().
declare module '*.css' {
  const text: string;
  export default text;
}
