export { default } from "@store/vitest-config";
