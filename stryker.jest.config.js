/** The jest configuration Stryker runs: the `unit` project of jest.config.js, alone. */
const { projects } = require('./jest.config.js');

const unit = projects.find((project) => project.displayName === 'unit');
module.exports = { ...unit, projects: undefined };
