export { default } from "@store/eslint-config";
